"""Delivery addresses are encrypted at rest and found by keyed hash (tenants.fields)."""

from django.db import migrations

import tenants.fields
from tenants.encrypted_columns import Column, migration

ADDRESSES = Column("analytics_emaildeliverylog", "to_address", "email", "to_address_hash")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_unknown_sender_event"), ("tenants", "0016_encrypt_personal_data")]

    operations = [
        migrations.AlterField(
            model_name="emaildeliverylog",
            name="to_address",
            field=tenants.fields.EncryptedTextField(hash_field="to_address_hash", kind="email", max_length=254),
        ),
        migrations.AddField(
            model_name="emaildeliverylog",
            name="to_address_hash",
            field=tenants.fields.KeyedHashField(db_index=True, of="to_address"),
        ),
        migrations.RunPython(*migration(ADDRESSES)),
    ]
