"""The access log keeps a keyed hash of the reader's email instead of the address.

On PostgreSQL the append-only trigger refuses every UPDATE; this one-time rewrite steps around it
inside the migration's transaction (the table owner may), and the trigger is back before it commits.
"""

from django.db import migrations, models

from tenants.fields import hash_of

TRIGGER = "tenants_accesslog_append_only"


def _hash_actor_emails(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, actor_email FROM tenants_accesslog WHERE actor_ref = ''")
        rows = [(hash_of("email", email), pk) for pk, email in cursor.fetchall()]
        if not rows:
            return
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE tenants_accesslog DISABLE TRIGGER {TRIGGER}")
        cursor.executemany("UPDATE tenants_accesslog SET actor_ref = %s WHERE id = %s", rows)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE tenants_accesslog ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("tenants", "0016_encrypt_personal_data")]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="actor_ref",
            field=models.CharField(
                db_index=True, default="", help_text="Keyed hash of the actor's email.", max_length=64
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_hash_actor_emails, migrations.RunPython.noop),
        # Going back cannot recover addresses from hashes: the column returns empty.
        migrations.AlterField(model_name="accesslog", name="actor_email", field=models.EmailField(default="")),
        migrations.RemoveField(model_name="accesslog", name="actor_email"),
    ]
