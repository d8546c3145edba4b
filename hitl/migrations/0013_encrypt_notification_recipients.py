"""Notification recipients' addresses and numbers are encrypted at rest (tenants.fields)."""

from django.db import migrations

import tenants.fields
from tenants.encrypted_columns import Column, migration

EMAILS = Column("hitl_hitlnotification", "recipient_email", "email")
PHONES = Column("hitl_hitlnotification", "recipient_phone", "phone")


class Migration(migrations.Migration):
    dependencies = [("hitl", "0012_decision_via_email_or_whatsapp"), ("tenants", "0016_encrypt_personal_data")]

    operations = [
        migrations.AlterField(
            model_name="hitlnotification",
            name="recipient_email",
            field=tenants.fields.EncryptedTextField(blank=True, kind="email", max_length=254),
        ),
        migrations.AlterField(
            model_name="hitlnotification",
            name="recipient_phone",
            field=tenants.fields.EncryptedTextField(blank=True, kind="phone", max_length=20),
        ),
        migrations.RunPython(*migration(EMAILS, PHONES)),
    ]
