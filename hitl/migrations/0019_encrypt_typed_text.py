"""What people type on an approval is encrypted at rest (tenants.fields): notes, rejection and escalation reasons,
decision notes, and the history lines, which quote those reasons and name people. Existing values are
encrypted in place, in batches; going back decrypts them.

The approval history is append-only in the database (0018); its trigger lets the tables' owner (who runs
migrations) rewrite notes while tenants.encrypted_columns says it is re-encrypting, as it does here.
"""

from django.db import migrations

import tenants.fields
from tenants.encrypted_columns import Column, migration

TYPED = [
    Column("hitl_hitlapproval", "request_notes"),
    Column("hitl_hitlapproval", "approval_notes"),
    Column("hitl_hitlapproval", "rejection_reason"),
    Column("hitl_hitlapproval", "escalation_reason"),
    Column("hitl_hitldecision", "notes"),
    Column("hitl_hitlapprovalhistory", "description"),
]

ENCRYPT, DECRYPT = migration(*TYPED)


class Migration(migrations.Migration):
    dependencies = [("hitl", "0018_approval_history_append_only")]

    operations = [
        migrations.AlterField(
            model_name="hitlapproval", name="approval_notes", field=tenants.fields.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="hitlapproval", name="escalation_reason", field=tenants.fields.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="hitlapproval",
            name="rejection_reason",
            field=tenants.fields.EncryptedTextField(blank=True, verbose_name="rejection reason"),
        ),
        migrations.AlterField(
            model_name="hitlapproval", name="request_notes", field=tenants.fields.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="hitlapprovalhistory",
            name="description",
            field=tenants.fields.EncryptedTextField(verbose_name="description"),
        ),
        migrations.AlterField(
            model_name="hitldecision",
            name="notes",
            field=tenants.fields.EncryptedTextField(blank=True, verbose_name="notes"),
        ),
        migrations.RunPython(ENCRYPT, DECRYPT),
    ]
