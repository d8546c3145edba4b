"""The step-up policy. Tenants that exist when this runs start with it off, like their MFA policy (0026): a deploy
must not stop anyone deciding in a way they do today; new tenants ask from high risk, within 15 minutes."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenants", "0027_single_sign_on")]

    operations = [
        # Existing rows: "" (off). Then the default for rows made from now on.
        migrations.AddField(
            model_name="tenant",
            name="step_up_risk_level",
            field=models.CharField(blank=True, default="", max_length=10),
        ),
        migrations.AlterField(
            model_name="tenant",
            name="step_up_risk_level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Never (off)"),
                    ("low", "Low and above (every decision)"),
                    ("medium", "Medium and above"),
                    ("high", "High and above"),
                    ("critical", "Critical only"),
                ],
                default="high",
                help_text=(
                    "Approving or rejecting a request of this risk or above needs a second factor shown within the "
                    "window below (one-click links and replies by email or WhatsApp then send the approver to the "
                    "console). Off: no step-up anywhere, neither for decisions nor for revealing personal data or "
                    "changing secrets."
                ),
                max_length=10,
                verbose_name="step-up from risk level",
            ),
        ),
        migrations.AddField(
            model_name="tenant",
            name="step_up_minutes",
            field=models.PositiveSmallIntegerField(
                default=15,
                help_text=(
                    "How recent the second factor must be for a step-up decision, revealing personal data or "
                    "changing channel and ad platform secrets; a trusted browser never counts."
                ),
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(1440),
                ],
                verbose_name="step-up window (minutes)",
            ),
        ),
    ]
