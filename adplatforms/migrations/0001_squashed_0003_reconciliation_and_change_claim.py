"""The adplatforms app's tables as the 3 migrations up to 0003 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).
"""

import uuid
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

import tenants.fields


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("adplatforms", "0001_initial"),
        ("adplatforms", "0002_adguardrails_platformchange"),
        ("adplatforms", "0003_reconciliation_and_change_claim"),
    ]

    dependencies = [
        ("agents", "0001_squashed_0010_campaign_currency_campaign_synced_at"),
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdConnection",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "platform",
                    models.CharField(
                        choices=[("meta", "Meta"), ("google", "Google")], max_length=10, verbose_name="platform"
                    ),
                ),
                (
                    "account_id",
                    models.CharField(
                        help_text="Google Ads: the customer id (10 digits). Meta: the ad account id, act_ followed by digits.",
                        max_length=40,
                        verbose_name="ad account",
                    ),
                ),
                (
                    "login_customer_id",
                    models.CharField(
                        blank=True,
                        help_text="Google Ads only: the manager (MCC) customer id the access goes through, if any.",
                        max_length=10,
                        verbose_name="manager account",
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="account name")),
                ("currency", models.CharField(blank=True, max_length=3, verbose_name="currency")),
                ("time_zone", models.CharField(blank=True, max_length=64, verbose_name="time zone")),
                ("developer_token", tenants.fields.EncryptedTextField(blank=True, verbose_name="developer token")),
                ("client_id", models.CharField(blank=True, max_length=200, verbose_name="OAuth client id")),
                ("client_secret", tenants.fields.EncryptedTextField(blank=True, verbose_name="OAuth client secret")),
                ("refresh_token", tenants.fields.EncryptedTextField(blank=True, verbose_name="refresh token")),
                ("access_token", tenants.fields.EncryptedTextField(blank=True, verbose_name="access token")),
                (
                    "app_id",
                    models.CharField(
                        blank=True,
                        help_text="Meta only: the app the system user belongs to (its rate limits are shared).",
                        max_length=40,
                        verbose_name="Meta app id",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("needs_reauth", "Needs re-authorisation"),
                            ("paused_quota", "Paused for quota"),
                            ("disabled", "Disabled"),
                        ],
                        default="active",
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                ("state_detail", models.CharField(blank=True, max_length=500, verbose_name="state detail")),
                ("paused_until", models.DateTimeField(blank=True, null=True, verbose_name="paused until")),
                (
                    "admins_told_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the tenant's admins were told the connection needs re-authorisation (once).",
                        null=True,
                        verbose_name="admins told at",
                    ),
                ),
                (
                    "sync_every_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(15),
                            django.core.validators.MaxValueValidator(1440),
                        ],
                        verbose_name="sync every",
                    ),
                ),
                (
                    "lookback_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Days of figures read again on every sync, for late conversions (Google 14, Meta 28 if empty).",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        verbose_name="days read again",
                    ),
                ),
                (
                    "next_sync_at",
                    models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="next sync at"),
                ),
                (
                    "synced_through",
                    models.DateField(
                        blank=True,
                        help_text="The last whole day (in the account's time zone) whose figures were read.",
                        null=True,
                        verbose_name="complete through",
                    ),
                ),
                ("last_synced_at", models.DateTimeField(blank=True, null=True, verbose_name="last synced at")),
                (
                    "reconciled_on",
                    models.DateField(
                        blank=True,
                        help_text="The day (UTC) the daily reconciliation last claimed this connection.",
                        null=True,
                        verbose_name="reconciled on",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ad_connections",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "ad platform connections",
                "verbose_name": "ad platform connection",
                "ordering": ["platform", "account_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "platform", "account_id"), name="one_connection_per_account"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AccountReconciliation",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("walker_cost", models.BigIntegerField(verbose_name="Walker's cost (platform units)")),
                ("platform_cost", models.BigIntegerField(verbose_name="platform's cost (platform units)")),
                (
                    "walker_conversion_value",
                    models.BigIntegerField(verbose_name="Walker's conversion value (platform units)"),
                ),
                (
                    "platform_conversion_value",
                    models.BigIntegerField(verbose_name="platform's conversion value (platform units)"),
                ),
                ("walker_conversions", models.BigIntegerField(verbose_name="Walker's conversions")),
                ("platform_conversions", models.BigIntegerField(verbose_name="platform's conversions")),
                ("walker_clicks", models.BigIntegerField(verbose_name="Walker's clicks")),
                ("platform_clicks", models.BigIntegerField(verbose_name="platform's clicks")),
                ("walker_impressions", models.BigIntegerField(verbose_name="Walker's impressions")),
                ("platform_impressions", models.BigIntegerField(verbose_name="platform's impressions")),
                (
                    "cost_difference",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("platform_cost"), "-", models.F("walker_cost")
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                ),
                (
                    "conversion_value_difference",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("platform_conversion_value"), "-", models.F("walker_conversion_value")
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                ),
                (
                    "conversions_difference",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("platform_conversions"), "-", models.F("walker_conversions")
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                ),
                (
                    "clicks_difference",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("platform_clicks"), "-", models.F("walker_clicks")
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                ),
                (
                    "impressions_difference",
                    models.GeneratedField(
                        db_persist=True,
                        expression=django.db.models.expressions.CombinedExpression(
                            models.F("platform_impressions"), "-", models.F("walker_impressions")
                        ),
                        output_field=models.BigIntegerField(),
                    ),
                ),
                ("campaign_rows", models.PositiveIntegerField(verbose_name="Walker's campaign rows")),
                (
                    "campaigns_missing",
                    models.PositiveIntegerField(
                        help_text="Campaigns with figures on the platform and none in Walker.",
                        verbose_name="campaigns missing",
                    ),
                ),
                (
                    "campaigns_changed",
                    models.PositiveIntegerField(
                        help_text="Campaigns whose figures on the platform differ from Walker's (since the last sync).",
                        verbose_name="campaigns changed",
                    ),
                ),
                ("matches", models.BooleanField(verbose_name="matches")),
                ("told_at", models.DateTimeField(blank=True, null=True, verbose_name="admins told at")),
                ("checked_at", models.DateTimeField(verbose_name="checked at")),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reconciliations",
                        to="adplatforms.adconnection",
                        verbose_name="connection",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "account reconciliations",
                "verbose_name": "account reconciliation",
                "ordering": ["connection", "-date"],
                "indexes": [models.Index(fields=["connection", "matches"], name="adplatforms_connect_451416_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("connection", "date"), name="one_reconciliation_per_account_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="AdGuardrails",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "max_change_percent",
                    models.PositiveIntegerField(
                        default=50,
                        help_text="How far one approved change may move a daily budget, as a percentage of the budget now.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="largest change per action (%)",
                    ),
                ),
                (
                    "max_daily_change_percent",
                    models.PositiveIntegerField(
                        default=100,
                        help_text="How far the changes of the last 24 hours, added up, may move a daily budget, as a percentage of the budget 24 hours ago.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(10000),
                        ],
                        verbose_name="largest change per 24 hours (%)",
                    ),
                ),
                (
                    "min_daily_budget",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        help_text="In each account's own currency.",
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="smallest daily budget",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ad_guardrails",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={"verbose_name": "ad guardrails", "verbose_name_plural": "ad guardrails"},
        ),
        migrations.CreateModel(
            name="PlatformCampaign",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("external_id", models.CharField(max_length=40, verbose_name="platform id")),
                ("effective_status", models.CharField(blank=True, max_length=40, verbose_name="platform status")),
                ("budget_id", models.CharField(blank=True, max_length=40, verbose_name="budget id")),
                ("budget_shared", models.BooleanField(default=False, verbose_name="shared budget")),
                ("budget_level", models.CharField(default="campaign", max_length=10, verbose_name="budget level")),
                (
                    "daily_budget_units",
                    models.BigIntegerField(blank=True, null=True, verbose_name="daily budget (platform units)"),
                ),
                ("synced_at", models.DateTimeField(verbose_name="synced at")),
                ("change_claim", models.UUIDField(blank=True, null=True, verbose_name="change in progress")),
                ("change_claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="change claimed at")),
                (
                    "campaign",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="platform_link",
                        to="agents.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="campaigns",
                        to="adplatforms.adconnection",
                        verbose_name="connection",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "synced campaigns",
                "verbose_name": "synced campaign",
                "ordering": ["connection", "external_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("connection", "external_id"), name="one_link_per_platform_campaign")
                ],
            },
        ),
        migrations.CreateModel(
            name="PlatformChange",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "field",
                    models.CharField(
                        choices=[("daily_budget", "daily budget"), ("status", "status")],
                        max_length=20,
                        verbose_name="field",
                    ),
                ),
                ("before_units", models.BigIntegerField(blank=True, null=True, verbose_name="before (platform units)")),
                ("after_units", models.BigIntegerField(blank=True, null=True, verbose_name="after (platform units)")),
                ("before", models.CharField(max_length=40, verbose_name="before")),
                ("after", models.CharField(max_length=40, verbose_name="after")),
                ("currency", models.CharField(blank=True, max_length=3, verbose_name="currency")),
                ("approval_id", models.UUIDField(verbose_name="approval id")),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="platform_changes",
                        to="agents.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="adplatforms.adconnection",
                        verbose_name="connection",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "change made on a platform",
                "verbose_name_plural": "changes made on platforms",
                "ordering": ["-at"],
                "indexes": [models.Index(fields=["campaign", "field", "-at"], name="adplatforms_campaig_18b7e8_idx")],
            },
        ),
        migrations.CreateModel(
            name="SyncRun",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started at")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                (
                    "status",
                    models.CharField(
                        choices=[("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")],
                        default="running",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("first_day", models.DateField(blank=True, null=True, verbose_name="from")),
                ("last_day", models.DateField(blank=True, null=True, verbose_name="to")),
                ("campaigns", models.PositiveIntegerField(default=0, verbose_name="campaigns")),
                ("campaign_days", models.PositiveIntegerField(default=0, verbose_name="campaign days")),
                ("error", models.CharField(blank=True, max_length=500, verbose_name="error")),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="runs",
                        to="adplatforms.adconnection",
                        verbose_name="connection",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "sync runs",
                "verbose_name": "sync run",
                "ordering": ["-started_at"],
                "indexes": [models.Index(fields=["connection", "-started_at"], name="adplatforms_connect_0feb75_idx")],
            },
        ),
    ]
