"""Email subjects are kept sealed (personal data lifted out and encrypted beside them), like message text."""

import json

from django.db import migrations, models

import tenants.fields


def seal_existing(apps, schema_editor):
    from tenants.sealing import seal

    log = apps.get_model("analytics", "EmailDeliveryLog")
    rows = log.objects.exclude(sealed_subject="").filter(subject_values="").only("pk", "sealed_subject")
    for row in rows.iterator(chunk_size=500):
        sealed, values = seal(row.sealed_subject)
        if values:  # the encrypted field encrypts the values as it writes them
            log.objects.filter(pk=row.pk).update(sealed_subject=sealed, subject_values=json.dumps(values))


class Migration(migrations.Migration):
    dependencies = [("analytics", "0007_human_takeover")]

    operations = [
        migrations.RenameField("emaildeliverylog", "subject", "sealed_subject"),
        migrations.AlterField(
            model_name="emaildeliverylog",
            name="sealed_subject",
            field=models.CharField(blank=True, db_column="subject", max_length=300),
        ),
        migrations.AddField(
            model_name="emaildeliverylog",
            name="subject_values",
            field=tenants.fields.EncryptedTextField(
                blank=True, help_text="The personal data lifted out of the subject."
            ),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
