"""Phone numbers and email addresses are encrypted at rest, with keyed hashes to find them (tenants.fields).

Existing values are encrypted in place (tenants.encrypted_columns): resumable, and reversible.
"""

from django.db import migrations, models

import tenants.fields
from tenants.encrypted_columns import Column, encrypt_existing, migration

USERS = Column("tenants_user", "email", "email", "email_hash")
PHONES = Column("tenants_userphonenumber", "phone_number", "phone", "phone_hash")
SUBJECT_REQUESTS = Column("tenants_subjectrequest", "requested_by_email", "email")
UNDELIVERABLE = Column("tenants_undeliverableaddress", "email", "email", "address_hash", pk="address_hash")


def _copy_undeliverable_addresses(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE tenants_undeliverableaddress SET email = address_hash")
    encrypt_existing(UNDELIVERABLE)


def _restore_undeliverable_addresses(apps, schema_editor):
    from tenants import crypto

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT address_hash, email FROM tenants_undeliverableaddress")
        rows = cursor.fetchall()
        cursor.executemany(
            "UPDATE tenants_undeliverableaddress SET address_hash = %s WHERE address_hash = %s",
            [(crypto.decrypt(email), key) for key, email in rows],
        )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0015_tenant_share_personal_data_with_llm")]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="user_email_ci_unique"),
        migrations.AlterModelOptions(
            name="user", options={"ordering": ["first_name", "last_name", "date_joined"]}
        ),
        migrations.AlterModelOptions(
            name="useremailpreference", options={"ordering": ["user__first_name", "user__last_name", "user_id"]}
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=tenants.fields.EncryptedTextField(
                hash_field="email_hash", kind="email", max_length=254, unique=True
            ),
        ),
        migrations.AddField(model_name="user", name="email_hash", field=tenants.fields.KeyedHashField(of="email")),
        migrations.RunPython(*migration(USERS)),
        migrations.AlterField(
            model_name="user", name="email_hash", field=tenants.fields.KeyedHashField(of="email", unique=True)
        ),
        migrations.RemoveConstraint(model_name="userphonenumber", name="phone_unique_per_tenant"),
        migrations.AlterField(
            model_name="userphonenumber",
            name="phone_number",
            field=tenants.fields.EncryptedTextField(
                hash_field="phone_hash",
                help_text="With its country code, e.g. +1 415 555 0100.",
                kind="phone",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="userphonenumber", name="phone_hash", field=tenants.fields.KeyedHashField(of="phone_number")
        ),
        migrations.RunPython(*migration(PHONES)),
        migrations.AddConstraint(
            model_name="userphonenumber",
            constraint=models.UniqueConstraint(fields=("tenant", "phone_hash"), name="phone_unique_per_tenant"),
        ),
        migrations.AlterField(
            model_name="subjectrequest",
            name="requested_by_email",
            field=tenants.fields.EncryptedTextField(kind="email", max_length=254),
        ),
        migrations.RunPython(*migration(SUBJECT_REQUESTS)),
        migrations.RenameField(model_name="undeliverableaddress", old_name="email", new_name="address_hash"),
        migrations.AddField(
            model_name="undeliverableaddress",
            name="email",
            field=tenants.fields.EncryptedTextField(default="", hash_field="address_hash", kind="email", max_length=254),
            preserve_default=False,
        ),
        migrations.RunPython(_copy_undeliverable_addresses, _restore_undeliverable_addresses),
        migrations.AlterField(
            model_name="undeliverableaddress",
            name="address_hash",
            field=models.CharField(editable=False, max_length=64, primary_key=True, serialize=False),
        ),
    ]
