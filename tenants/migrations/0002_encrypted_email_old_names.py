"""What the tenants app's tables need once 0001 is done: the person's email encrypted, and two of the old chain's names.

The email, encrypted at rest and found by its keyed hash `email_hash` (tenants.fields), comes here, not in 0001,
because of allauth: its account migrations depend on the user model's first migration only, and account 0006
rewrites every user's email with Lower(), a lookup the encrypted field refuses (it compares hashes). So 0001 creates
the column as plain text (the same `text` type and unique index on PostgreSQL), account 0006 runs on that, and this
migration, after it, changes the field's class (no SQL on PostgreSQL) and adds the hash, as the old chain's 0016 did:
hence `replaces`.

On PostgreSQL, two names the old chain left (a unique constraint added to an existing column, and an index named
before its column was renamed) are given to new databases too, so that every database has the same names and a
later migration behaves alike on all. Here rather than in 0001: that index is made by 0001's deferred statements,
which run when 0001 ends.
"""

from django.db import migrations

import tenants.fields
from core.postgresql import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    replaces = [("tenants", "0016_encrypt_personal_data")]

    dependencies = [
        ("tenants", "0001_squashed_0029_invitations"),
        ("account", "0006_emailaddress_lower"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email",
            field=tenants.fields.EncryptedTextField(
                hash_field="email_hash", kind="email", max_length=254, unique=True, verbose_name="email"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="email_hash",
            field=tenants.fields.KeyedHashField(of="email", unique=True, verbose_name="email hash"),
        ),
        RunSQLOnPostgreSQL(
            [
                "ALTER TABLE tenants_user RENAME CONSTRAINT tenants_user_email_hash_key"
                " TO tenants_user_email_hash_66a0f1c7_uniq",
                "ALTER INDEX tenants_undeliverableaddress_address_hash_ecea4384_like"
                " RENAME TO tenants_undeliverableaddress_email_45ba9b49_like",
            ],
            [
                "ALTER INDEX tenants_undeliverableaddress_email_45ba9b49_like"
                " RENAME TO tenants_undeliverableaddress_address_hash_ecea4384_like",
                "ALTER TABLE tenants_user RENAME CONSTRAINT tenants_user_email_hash_66a0f1c7_uniq"
                " TO tenants_user_email_hash_key",
            ],
        ),
    ]
