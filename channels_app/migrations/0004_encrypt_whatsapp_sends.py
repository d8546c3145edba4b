"""The number each WhatsApp send went to is encrypted at rest (tenants.fields)."""

from django.db import migrations

import tenants.fields
from tenants.encrypted_columns import Column, migration

SENDS = Column("channels_app_whatsappsend", "to", "phone", pk="sid")


class Migration(migrations.Migration):
    dependencies = [("channels_app", "0003_encrypt_whatsapp_contacts")]

    operations = [
        migrations.AlterField(
            model_name="whatsappsend", name="to", field=tenants.fields.EncryptedTextField(kind="phone", max_length=32)
        ),
        migrations.RunPython(*migration(SENDS)),
    ]
