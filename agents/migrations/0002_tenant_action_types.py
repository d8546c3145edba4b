"""Action types a tenant registers for its own agents (agents.tenant_actions, issue 49)."""

import datetime
import django.core.validators
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_squashed_0010_campaign_currency_campaign_synced_at"),
        ("tenants", "0004_forget_allauth_email_addresses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantActionType",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="What agents name the action by, e.g. update_budget. Fixed once the type exists.",
                        max_length=64,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[a-z][a-z0-9_]*\\Z",
                                "Lower-case letters, digits and underscores, starting with a letter, e.g. update_budget.",
                            )
                        ],
                        verbose_name="key",
                    ),
                ),
                (
                    "names",
                    models.JSONField(
                        default=dict,
                        help_text='The name people read, per language: {"en": "Update a budget", "es": "Cambiar un presupuesto"}.',
                        verbose_name="names",
                    ),
                ),
                (
                    "args_schema",
                    models.JSONField(
                        help_text="A JSON Schema (draft 2020-12) of the object of args the agent sends.",
                        verbose_name="args schema",
                    ),
                ),
                (
                    "editable_fields",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Top-level fields of the args an approver may change, e.g. ["amount"].',
                        verbose_name="editable fields",
                    ),
                ),
                (
                    "money_field",
                    models.CharField(
                        blank=True,
                        help_text="The field holding the money the action moves (a number, or a number written as text).",
                        max_length=100,
                        verbose_name="money field",
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        help_text="The money's currency (ISO 4217, e.g. EUR), when it is always the same.",
                        max_length=3,
                        verbose_name="currency",
                    ),
                ),
                (
                    "currency_field",
                    models.CharField(
                        blank=True,
                        help_text="Or the field of the args that holds the money's currency.",
                        max_length=100,
                        verbose_name="currency field",
                    ),
                ),
                (
                    "reach_field",
                    models.CharField(
                        blank=True,
                        help_text="The field holding how many people the action reaches (an integer).",
                        max_length=100,
                        verbose_name="reach field",
                    ),
                ),
                (
                    "reversible",
                    models.BooleanField(
                        default=False, help_text="The action can be taken back once done.", verbose_name="reversible"
                    ),
                ),
                (
                    "base_risk",
                    models.PositiveSmallIntegerField(
                        default=25,
                        help_text="Points 0-25 the kind of action adds to the risk score.",
                        validators=[django.core.validators.MaxValueValidator(25)],
                        verbose_name="base risk",
                    ),
                ),
                (
                    "default_expiry",
                    models.DurationField(
                        default=datetime.timedelta(days=1),
                        help_text="How long a request waits for a decision unless it says otherwise (5 minutes to 30 days).",
                        validators=[
                            django.core.validators.MinValueValidator(datetime.timedelta(seconds=300)),
                            django.core.validators.MaxValueValidator(datetime.timedelta(days=30)),
                        ],
                        verbose_name="default expiry",
                    ),
                ),
                (
                    "runs_by",
                    models.CharField(
                        choices=[
                            ("agent", "By the agent, which reports the outcome"),
                            ("webhook", "By Walker, through the tenant's signed action webhook"),
                        ],
                        default="agent",
                        max_length=10,
                        verbose_name="carried out",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="action_types",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "action types",
                "verbose_name": "action type",
                "ordering": ["key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "key"),
                        name="one_action_type_per_key",
                        violation_error_message="This tenant already has an action type with that key.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("base_risk__lte", 25)), name="action_type_base_risk_in_range"
                    ),
                ],
            },
        ),
    ]
