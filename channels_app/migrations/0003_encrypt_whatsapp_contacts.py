"""WhatsApp contacts' numbers are encrypted at rest, unique per tenant by keyed hash (tenants.fields)."""

from django.db import migrations, models

import tenants.fields
from tenants.encrypted_columns import Column, migration

CONTACTS = Column("channels_app_whatsappcontact", "phone", "phone", "phone_hash")


class Migration(migrations.Migration):
    dependencies = [("channels_app", "0002_whatsapp"), ("tenants", "0016_encrypt_personal_data")]

    operations = [
        migrations.RemoveConstraint(model_name="whatsappcontact", name="one_whatsapp_contact_per_phone"),
        migrations.AlterField(
            model_name="whatsappcontact",
            name="phone",
            field=tenants.fields.EncryptedTextField(hash_field="phone_hash", kind="phone", max_length=32),
        ),
        migrations.AddField(
            model_name="whatsappcontact", name="phone_hash", field=tenants.fields.KeyedHashField(of="phone")
        ),
        migrations.RunPython(*migration(CONTACTS)),
        migrations.AddConstraint(
            model_name="whatsappcontact",
            constraint=models.UniqueConstraint(fields=("tenant", "phone_hash"), name="one_whatsapp_contact_per_phone"),
        ),
    ]
