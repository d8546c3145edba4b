"""The alerts app's tables as the 4 migrations up to 0004 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).
"""

import uuid
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("alerts", "0001_initial"),
        ("alerts", "0002_slack_notices"),
        ("alerts", "0003_clear_after_quiet_period"),
        ("alerts", "0004_slack_watched_for_failed_sends"),
    ]

    dependencies = [
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertRule",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("first_response_p90", "First response time, 90th percentile (minutes)"),
                            ("sla_breaches", "Approval SLA breaches"),
                            ("approvals_waiting", "Approvals waiting"),
                            ("oldest_waiting_approval", "Oldest waiting approval (minutes)"),
                            ("email_bounce_rate", "Email bounce rate (%)"),
                            ("failed_executions", "Failed executions"),
                            ("channel_failures", "Failed sends on a channel"),
                            ("ad_reauthorisation", "Ad platform connections needing re-authorisation"),
                        ],
                        max_length=30,
                        verbose_name="figure",
                    ),
                ),
                (
                    "threshold",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="An incident opens when the figure is above this, and clears once it has stayed at or below it for the quiet period.",
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                        verbose_name="threshold",
                    ),
                ),
                (
                    "clear_after_minutes",
                    models.PositiveIntegerField(
                        default=10,
                        help_text="Quiet period: an open incident clears only once the figure has stayed at or below the threshold this many minutes. Going above again in the meantime keeps the same incident open, with no new notice, and the wait starts over, so a figure hovering at the threshold is told once, not every minute. 0: it clears at the first evaluation at or below.",
                        validators=[django.core.validators.MaxValueValidator(1440)],
                        verbose_name="clear after (minutes)",
                    ),
                ),
                (
                    "window_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        help_text="The figure covers this many minutes up to now (not used for what is waiting now).",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(10080),
                        ],
                        verbose_name="window (minutes)",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        blank=True,
                        choices=[("whatsapp", "WhatsApp"), ("email", "Email"), ("slack", "Slack")],
                        help_text="For failed sends: the channel watched.",
                        max_length=10,
                        verbose_name="watched channel",
                    ),
                ),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("notify_roles", models.JSONField(blank=True, default=list, verbose_name="notify roles")),
                ("notify_channels", models.JSONField(default=list, verbose_name="notify by")),
                (
                    "slack_channel",
                    models.CharField(
                        blank=True,
                        help_text="Slack channel id (C0123ABCD) the notices are posted to; empty: the workspace's default channel.",
                        max_length=32,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[CG][A-Z0-9]{2,31}$", "A Slack channel id, e.g. C0123ABCD."
                            )
                        ],
                        verbose_name="Slack channel",
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
                        verbose_name="created by",
                    ),
                ),
                (
                    "notify_people",
                    models.ManyToManyField(
                        blank=True, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="notify people"
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
            options={"verbose_name_plural": "alert rules", "verbose_name": "alert rule", "ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="AlertIncident",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "threshold",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="threshold at opening"),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "opened_value",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="figure at opening"),
                ),
                ("peak_value", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="highest figure")),
                ("quiet_since", models.DateTimeField(blank=True, null=True, verbose_name="within the threshold since")),
                ("cleared_at", models.DateTimeField(blank=True, null=True, verbose_name="cleared at")),
                (
                    "cleared_value",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="figure at clearing"
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
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incidents",
                        to="alerts.alertrule",
                        verbose_name="rule",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "alert incidents",
                "verbose_name": "alert incident",
                "ordering": ["-opened_at"],
                "indexes": [models.Index(fields=["tenant", "-opened_at"], name="alerts_aler_tenant__39aeb9_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("cleared_at__isnull", True)),
                        fields=("rule",),
                        name="one_open_incident_per_rule",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AlertNotice",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[("opened", "Opened"), ("cleared", "Cleared")], max_length=10, verbose_name="event"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "Email"), ("whatsapp", "WhatsApp"), ("slack", "Slack")],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("message", models.TextField(verbose_name="message")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("provider", models.CharField(blank=True, max_length=30, verbose_name="provider")),
                (
                    "provider_message_id",
                    models.CharField(blank=True, max_length=255, verbose_name="provider message ID"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("failure_reason", models.TextField(blank=True, verbose_name="failure reason")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notices",
                        to="alerts.alertincident",
                        verbose_name="incident",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
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
                "verbose_name_plural": "alert notices",
                "verbose_name": "alert notice",
                "ordering": ["created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("incident", "event", "recipient", "channel"),
                        name="one_alert_notice_per_person_and_channel",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("recipient__isnull", True)),
                        fields=("incident", "event", "channel"),
                        name="one_alert_post_per_event_and_channel",
                    ),
                ],
            },
        ),
    ]
