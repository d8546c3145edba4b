"""The tenant's MFA policy. Tenants that exist when this runs start with it off (no role required), so a deploy
locks nobody out of a console they use today: the dashboard tells their admins to turn it on. New tenants get
admin, approver and compliance (tenants.models.tenant.MFA_DEFAULT_ROLES)."""

import django.core.validators
from django.db import migrations, models

import tenants.models.tenant


class Migration(migrations.Migration):
    dependencies = [("tenants", "0025_integration_tokens")]

    operations = [
        # Existing rows: an empty list (off). Then the default for rows made from now on.
        migrations.AddField(
            model_name="tenant",
            name="mfa_required_roles",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="tenant",
            name="mfa_required_roles",
            field=models.JSONField(
                blank=True,
                default=tenants.models.tenant.default_mfa_roles,
                help_text="People with these roles must sign in with a second factor (an authenticator app or a passkey).",
                validators=[tenants.models.tenant.validate_roles],
                verbose_name="roles that need a second factor",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="mfa_trust_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="Days a browser its person chose to trust skips the second factor; 0: ask at every sign-in.",
                validators=[django.core.validators.MaxValueValidator(90)],
                verbose_name="trust a browser for (days)",
            ),
        ),
    ]
