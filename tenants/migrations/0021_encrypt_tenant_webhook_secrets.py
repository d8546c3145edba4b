"""The tenant's action-webhook signing secret and Slack URL are encrypted at rest (tenants.fields), like the
provider keys: whoever reads them can sign calls the tenant's receiver executes, or post to its Slack.

Existing values are encrypted in place (tenants.encrypted_columns): resumable, and reversible. Key rotation
finds both columns from the model.
"""

import django.core.validators
from django.db import migrations

import tenants.fields
import tenants.outbound
from tenants.encrypted_columns import Column, migration

SECRET = Column("tenants_tenant", "action_webhook_secret")
SLACK = Column("tenants_tenant", "slack_webhook_url")


class Migration(migrations.Migration):
    dependencies = [("tenants", "0020_accesslog_purge_only_by_its_function")]

    operations = [
        migrations.AlterField(
            model_name="tenant",
            name="action_webhook_secret",
            field=tenants.fields.EncryptedTextField(
                blank=True,
                help_text='Signs webhook calls: X-Walker-Signature is HMAC-SHA256 of "<X-Walker-Timestamp>.<body>".',
                max_length=128,
            ),
        ),
        migrations.AlterField(
            model_name="tenant",
            name="slack_webhook_url",
            field=tenants.fields.EncryptedTextField(
                blank=True,
                help_text="Slack incoming-webhook URL for approval notifications. https only.",
                max_length=200,
                validators=[django.core.validators.URLValidator(), tenants.outbound.validate_outbound_url],
            ),
        ),
        migrations.RunPython(*migration(SECRET, SLACK)),
    ]
