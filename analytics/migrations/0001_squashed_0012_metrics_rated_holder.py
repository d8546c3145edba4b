"""The analytics app's tables as the 12 migrations up to 0012 left them, in one migration (generated from
the models). A database migrated by the old chain counts it as applied (`replaces`).

Dropped with the old files, as they only rewrote rows a new database does not have: 0005 (encrypt delivery
addresses), 0008's seal_existing (seal email subjects), 0010 (forget addresses in approval analytics and
notification events). The costs per currency came after the last release of the old chain: 0002.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenants.fields


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("analytics", "0001_initial"),
        ("analytics", "0002_metrics_and_approval_analytics"),
        ("analytics", "0003_email_delivery_log"),
        ("analytics", "0004_unknown_sender_event"),
        ("analytics", "0005_encrypt_delivery_addresses"),
        ("analytics", "0006_alter_emaildeliverylog_email_type"),
        ("analytics", "0007_human_takeover"),
        ("analytics", "0008_seal_email_subjects"),
        ("analytics", "0009_answer_failed_event"),
        ("analytics", "0010_analytics_without_addresses"),
        ("analytics", "0011_labels_in_the_readers_language"),
        ("analytics", "0012_metrics_rated_holder"),
    ]

    dependencies = [
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ConversationMetrics",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("conversation_id", models.UUIDField(unique=True, verbose_name="conversation ID")),
                ("channel", models.CharField(max_length=10, verbose_name="channel")),
                (
                    "agent_types",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The agents that answered, in order of first reply.",
                        verbose_name="agent types",
                    ),
                ),
                ("message_count", models.PositiveIntegerField(default=0, verbose_name="message count")),
                ("duration_seconds", models.PositiveIntegerField(default=0, verbose_name="duration seconds")),
                (
                    "first_response_ms",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="first response ms"),
                ),
                ("avg_response_time_ms", models.FloatField(blank=True, null=True, verbose_name="avg response time ms")),
                (
                    "user_satisfaction_score",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="user satisfaction score"),
                ),
                ("issue_resolved", models.BooleanField(default=False, verbose_name="issue resolved")),
                ("escalated_to_human", models.BooleanField(default=False, verbose_name="escalated to human")),
                ("hitl_approvals_count", models.PositiveIntegerField(default=0, verbose_name="hitl approvals count")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                ("computed_at", models.DateTimeField(auto_now=True, verbose_name="computed at")),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="The person of the tenant who resolved it (its holder); empty when the agents' answer closed it.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolved by",
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
                "verbose_name": "conversation metrics",
                "verbose_name_plural": "conversation metrics",
                "ordering": ["-started_at"],
                "indexes": [
                    models.Index(fields=["tenant", "started_at"], name="analytics_c_tenant__d34f52_idx"),
                    models.Index(fields=["tenant", "channel", "started_at"], name="analytics_c_tenant__14d779_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ConversationAgent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")),
                ("agent_type", models.CharField(max_length=20, verbose_name="agent type")),
                ("replies", models.PositiveIntegerField(default=0, verbose_name="replies")),
                (
                    "started_at",
                    models.DateTimeField(
                        help_text="The conversation's start, copied for range filters.", verbose_name="started at"
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
                    "metrics",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agents",
                        to="analytics.conversationmetrics",
                        verbose_name="metrics",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "conversation agents",
                "verbose_name": "conversation agent",
                "indexes": [
                    models.Index(fields=["tenant", "agent_type", "started_at"], name="analytics_c_tenant__39f861_idx")
                ],
                "constraints": [models.UniqueConstraint(fields=("metrics", "agent_type"), name="one_row_per_agent")],
            },
        ),
        migrations.CreateModel(
            name="EmailDeliveryLog",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "to_address",
                    tenants.fields.EncryptedTextField(
                        hash_field="to_address_hash", kind="email", max_length=254, verbose_name="to address"
                    ),
                ),
                (
                    "to_address_hash",
                    tenants.fields.KeyedHashField(db_index=True, of="to_address", verbose_name="to address hash"),
                ),
                (
                    "email_type",
                    models.CharField(
                        choices=[
                            ("reply", "Agent reply"),
                            ("approval", "Approval request"),
                            ("reminder", "Approval reminder"),
                            ("escalation", "Approval escalated"),
                            ("outcome", "Approval outcome"),
                            ("command", "Answer to an emailed command"),
                            ("unknown_sender", "Answer to an unknown sender"),
                            ("system", "System email"),
                            ("daily_brief", "Daily brief"),
                        ],
                        max_length=20,
                        verbose_name="email type",
                    ),
                ),
                (
                    "sealed_subject",
                    models.CharField(blank=True, db_column="subject", max_length=300, verbose_name="sealed subject"),
                ),
                (
                    "subject_values",
                    tenants.fields.EncryptedTextField(
                        blank=True,
                        help_text="The personal data lifted out of the subject.",
                        verbose_name="subject values",
                    ),
                ),
                ("reference", models.CharField(max_length=80, unique=True, verbose_name="reference")),
                ("provider", models.CharField(blank=True, max_length=20, verbose_name="provider")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sent", "Sent (accepted by the provider)"),
                            ("deferred", "Deferred"),
                            ("delivered", "Delivered"),
                            ("opened", "Opened"),
                            ("clicked", "Clicked"),
                            ("bounced", "Bounced"),
                            ("dropped", "Dropped"),
                            ("spam", "Reported as spam"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "message_id",
                    models.CharField(
                        blank=True,
                        help_text="The provider's id for the email.",
                        max_length=255,
                        verbose_name="message ID",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered at")),
                ("opened_at", models.DateTimeField(blank=True, null=True, verbose_name="opened at")),
                ("clicked_at", models.DateTimeField(blank=True, null=True, verbose_name="clicked at")),
                ("bounced_at", models.DateTimeField(blank=True, null=True, verbose_name="bounced at")),
                ("failure_reason", models.TextField(blank=True, verbose_name="failure reason")),
                (
                    "tenant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "email delivery log",
                "verbose_name": "email delivery log",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["tenant", "-created_at"], name="analytics_e_tenant__b0fb48_idx"),
                    models.Index(fields=["tenant", "status"], name="analytics_e_tenant__0a2a2a_idx"),
                ],
            },
            bases=(tenants.fields.HashedFieldsMixin, models.Model),
        ),
        migrations.CreateModel(
            name="HITLAnalytics",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period_type",
                    models.CharField(
                        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")],
                        max_length=5,
                        verbose_name="period type",
                    ),
                ),
                (
                    "period_start",
                    models.DateField(
                        help_text="First day of the period in the tenant's time zone.", verbose_name="period start"
                    ),
                ),
                ("total_requests", models.PositiveIntegerField(default=0, verbose_name="total requests")),
                ("total_approved", models.PositiveIntegerField(default=0, verbose_name="total approved")),
                ("total_rejected", models.PositiveIntegerField(default=0, verbose_name="total rejected")),
                ("total_expired", models.PositiveIntegerField(default=0, verbose_name="total expired")),
                ("total_cancelled", models.PositiveIntegerField(default=0, verbose_name="total cancelled")),
                ("total_pending", models.PositiveIntegerField(default=0, verbose_name="total pending")),
                ("avg_decision_minutes", models.FloatField(blank=True, null=True, verbose_name="avg decision minutes")),
                (
                    "median_decision_minutes",
                    models.FloatField(blank=True, null=True, verbose_name="median decision minutes"),
                ),
                ("p90_decision_minutes", models.FloatField(blank=True, null=True, verbose_name="p90 decision minutes")),
                (
                    "sla_compliance_rate",
                    models.FloatField(
                        blank=True,
                        help_text="0 to 1; empty when no SLA came due.",
                        null=True,
                        verbose_name="SLA compliance rate",
                    ),
                ),
                ("low_risk_count", models.PositiveIntegerField(default=0, verbose_name="low risk count")),
                ("medium_risk_count", models.PositiveIntegerField(default=0, verbose_name="medium risk count")),
                ("high_risk_count", models.PositiveIntegerField(default=0, verbose_name="high risk count")),
                ("critical_risk_count", models.PositiveIntegerField(default=0, verbose_name="critical risk count")),
                (
                    "action_type_breakdown",
                    models.JSONField(blank=True, default=dict, verbose_name="action type breakdown"),
                ),
                (
                    "total_estimated_cost_approved",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="total estimated cost approved"
                    ),
                ),
                (
                    "total_estimated_cost_rejected",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="total estimated cost rejected"
                    ),
                ),
                ("top_approvers", models.JSONField(blank=True, default=list, verbose_name="top approvers")),
                ("computed_at", models.DateTimeField(auto_now=True, verbose_name="computed at")),
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
                "verbose_name": "approval analytics",
                "verbose_name_plural": "approval analytics",
                "ordering": ["-period_start", "period_type"],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "period_type", "period_start"), name="one_row_per_period")
                ],
            },
        ),
        migrations.CreateModel(
            name="PlatformEvent",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event_type",
                    models.CharField(
                        choices=[
                            ("conversation_opened", "Conversation opened"),
                            ("conversation_closed", "Conversation closed"),
                            ("message_received", "Message received"),
                            ("agent_responded", "Agent responded"),
                            ("handoff", "Conversation handed to another agent"),
                            ("satisfaction_asked", "Satisfaction rating asked for"),
                            ("satisfaction_rated", "Satisfaction rated"),
                            ("channel_failure", "Message could not be delivered on its channel"),
                            ("unknown_sender", "Message from an unknown or unverified sender"),
                            ("engine_error", "Engine error"),
                            ("answer_failed", "Message not answered: every attempt failed"),
                            ("action_refused", "Action refused by the gateway"),
                            ("approval_requested", "Approval requested"),
                            ("approval_approved", "Approval approved"),
                            ("approval_rejected", "Approval rejected"),
                            ("approval_escalated", "Approval escalated"),
                            ("approval_expired", "Approval expired"),
                            ("approval_cancelled", "Approval cancelled"),
                            ("sla_breached", "Approval SLA breached"),
                            ("execution_succeeded", "Action executed"),
                            ("execution_failed", "Action execution failed"),
                            ("notification_sent", "Notification sent"),
                            ("notification_delivered", "Notification delivered"),
                            ("notification_failed", "Notification failed"),
                            ("conversation_taken_over", "Conversation taken over by a person"),
                            ("conversation_assigned", "Conversation assigned to a person"),
                            ("human_replied", "A person replied"),
                            ("note_added", "Internal note added"),
                            ("conversation_released", "Conversation handed back to the agents"),
                            ("conversation_resolved", "Conversation resolved by a person"),
                        ],
                        max_length=40,
                        verbose_name="event type",
                    ),
                ),
                ("conversation_id", models.UUIDField(blank=True, null=True, verbose_name="conversation ID")),
                (
                    "subject_id",
                    models.UUIDField(
                        blank=True,
                        help_text="The message, approval or agent the event is about.",
                        null=True,
                        verbose_name="subject ID",
                    ),
                ),
                ("metadata", models.JSONField(blank=True, default=dict, verbose_name="metadata")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
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
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "platform events",
                "verbose_name": "platform event",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["tenant", "event_type", "created_at"], name="analytics_p_tenant__4a0541_idx"),
                    models.Index(fields=["conversation_id", "created_at"], name="analytics_p_convers_bf94ed_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Watermark",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False, verbose_name="ID")),
                ("job", models.CharField(max_length=40, verbose_name="job")),
                ("reached", models.DateTimeField(verbose_name="reached")),
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
                "verbose_name_plural": "watermarks",
                "verbose_name": "watermark",
                "constraints": [models.UniqueConstraint(fields=("tenant", "job"), name="one_watermark_per_job")],
            },
        ),
    ]
