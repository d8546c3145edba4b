"""The hitl app's tables as the 33 migrations up to 0031 left them, in one migration (generated from the models),
and the approval history's guards on PostgreSQL, which the models do not describe (SQLite relies on the model,
hitl.models.records). Once 0018, and 0025 for the renaming of event types:

- `hitl_history_append_only`: an UPDATE of a history row is refused, except its actor becoming empty (the
  person's account deleted, SET_NULL); its note (`description`) changing while `walker.hitl_history_rewrite` or
  `walker.rewriting_encrypted_values` is on *and* the statement runs as the tables' owner
  (`hitl_history_erase_notes`, tenants.encrypted_columns); its event type changing while
  `walker.renaming_history_events` is on, as the owner (a migration renaming an event).
- `hitl_history_goes_with_its_approval`: a DELETE is checked at commit and refused while the approval remains.
- `hitl_history_no_truncate`: TRUNCATE is refused (row triggers do not fire for it).
- `hitl_history_erase_notes(ids)`: SECURITY DEFINER, blanks notes only (erasure of personal data,
  hitl.history.erase_notes).

The application's role, not the owner (README, `manage.py grant_app_role`), setting a flag itself changes nothing.

A database migrated by the old chain counts this one as applied (`replaces`). Dropped with the old files, as they
only rewrote rows a new database does not have: 0013, 0019 (encrypt existing values), 0016 (recompute pending
approvals' keys), 0017's supersede_older (close older duplicates waiting for one target; its unique constraint is
here), 0020 (redact failure reasons), 0025's rename_events (execution_retry to execution_retried).
"""

import uuid
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

import tenants.fields
from core.postgresql import RunSQLOnPostgreSQL

HISTORY_APPEND_ONLY = """
CREATE FUNCTION hitl_history_append_only() RETURNS trigger AS $$
BEGIN
    IF to_jsonb(NEW) - 'description' - 'actor_id' = to_jsonb(OLD) - 'description' - 'actor_id'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.description = OLD.description
            OR ((current_setting('walker.hitl_history_rewrite', true) = 'on'
                 OR current_setting('walker.rewriting_encrypted_values', true) = 'on')
                AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')))
    THEN
        RETURN NEW;
    END IF;
    IF to_jsonb(NEW) - 'event_type' = to_jsonb(OLD) - 'event_type'
       AND current_setting('walker.renaming_history_events', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'approval history is append-only (UPDATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hitl_history_append_only
    BEFORE UPDATE ON hitl_hitlapprovalhistory
    FOR EACH ROW EXECUTE FUNCTION hitl_history_append_only();
"""

HISTORY_GOES_WITH_ITS_APPROVAL = """
CREATE FUNCTION hitl_history_goes_with_its_approval() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM hitl_hitlapproval WHERE id = OLD.approval_id) THEN
        RAISE EXCEPTION 'approval history is append-only (DELETE refused: its approval remains)';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER hitl_history_goes_with_its_approval
    AFTER DELETE ON hitl_hitlapprovalhistory
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hitl_history_goes_with_its_approval();
"""

HISTORY_NO_TRUNCATE = """
CREATE FUNCTION hitl_history_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'approval history is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hitl_history_no_truncate
    BEFORE TRUNCATE ON hitl_hitlapprovalhistory
    FOR EACH STATEMENT EXECUTE FUNCTION hitl_history_no_truncate();
"""

HISTORY_ERASE_NOTES = """
CREATE FUNCTION hitl_history_erase_notes(ids uuid[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    erased bigint;
BEGIN
    PERFORM set_config('walker.hitl_history_rewrite', 'on', true);
    UPDATE hitl_hitlapprovalhistory SET description = '' WHERE id = ANY(ids) AND description <> '';
    GET DIAGNOSTICS erased = ROW_COUNT;
    PERFORM set_config('walker.hitl_history_rewrite', 'off', true);
    RETURN erased;
END;
$$;
"""


HISTORY_DROP = [
    """
DROP FUNCTION IF EXISTS hitl_history_erase_notes(uuid[]);
DROP TRIGGER IF EXISTS hitl_history_no_truncate ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_no_truncate();
DROP TRIGGER IF EXISTS hitl_history_goes_with_its_approval ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_goes_with_its_approval();
DROP TRIGGER IF EXISTS hitl_history_append_only ON hitl_hitlapprovalhistory;
DROP FUNCTION IF EXISTS hitl_history_append_only();
"""
]


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("hitl", "0001_initial"),
        ("hitl", "0002_approval_assignees"),
        ("hitl", "0003_alter_hitlapproval_options"),
        ("hitl", "0004_queue_order_index"),
        ("hitl", "0005_execution_started_at"),
        ("hitl", "0006_friendly_names"),
        ("hitl", "0007_approvals_by_tenant_and_time"),
        ("hitl", "0007_workflow_hours_bounded"),
        ("hitl", "0008_approval_execution_queued_at"),
        ("hitl", "0009_merge_20261122_1051"),
        ("hitl", "0010_decision_via_email"),
        ("hitl", "0010_whatsapp_decisions"),
        ("hitl", "0011_merge_0010_decision_via_email_0010_whatsapp_decisions"),
        ("hitl", "0012_decision_via_email_or_whatsapp"),
        ("hitl", "0013_encrypt_notification_recipients"),
        ("hitl", "0014_duplicate_and_conflicting_proposals"),
        ("hitl", "0015_translatable_labels"),
        ("hitl", "0016_compare_pending_proposals_by_effect"),
        ("hitl", "0017_one_waiting_request_per_target"),
        ("hitl", "0018_approval_history_append_only"),
        ("hitl", "0019_encrypt_typed_text"),
        ("hitl", "0020_redact_notification_failure_reasons"),
        ("hitl", "0021_approval_history_by_time"),
        ("hitl", "0022_labels_in_the_readers_language"),
        ("hitl", "0023_approval_request_language"),
        ("hitl", "0024_history_and_notification_events_by_name"),
        ("hitl", "0025_one_name_for_a_retried_execution"),
        ("hitl", "0026_drop_approval_columns_nothing_reads"),
        ("hitl", "0027_record_deadline_sweep_failures"),
        ("hitl", "0028_step_up_asked_event"),
        ("hitl", "0029_approver_notes_to_agents"),
        ("hitl", "0030_slack_app"),
        ("hitl", "0031_slack_message_failures_and_refused_token"),
    ]

    dependencies = [
        ("agents", "0001_squashed_0010_campaign_currency_campaign_synced_at"),
        ("conversations", "0001_squashed_0010_inbox_labels_canned"),
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HITLApproval",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        help_text="Short reference for emails and WhatsApp, e.g. BR-123456.",
                        max_length=12,
                        verbose_name="reference",
                    ),
                ),
                (
                    "agent_type",
                    models.CharField(
                        choices=[
                            ("paid_ads", "Paid Ads"),
                            ("seo", "SEO"),
                            ("content", "Content"),
                            ("audience", "Audience Intelligence"),
                        ],
                        max_length=20,
                        verbose_name="agent type",
                    ),
                ),
                (
                    "action_type",
                    models.CharField(
                        choices=[
                            ("set_budget", "Set a campaign's daily budget"),
                            ("pause_campaign", "Pause a campaign"),
                            ("resume_campaign", "Resume a campaign"),
                            ("publish_content", "Publish content"),
                            ("schedule_content", "Schedule content"),
                            ("create_audience", "Create an audience"),
                            ("create_retargeting", "Create a retargeting audience"),
                            ("add_target_keyword", "Add a target keyword"),
                            ("remove_target_keyword", "Drop a target keyword"),
                        ],
                        max_length=40,
                        verbose_name="action type",
                    ),
                ),
                ("action_data", models.JSONField(default=dict, verbose_name="action data")),
                ("action_summary", models.CharField(max_length=300, verbose_name="action summary")),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("en", "English"), ("es", "Español")],
                        help_text="The language the request was made in: its summary is stored in it, and its requester is told of its outcome in it. Other readers see the summary in their own language.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "target_key",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="What the action changes (hitl.duplicates).",
                        max_length=200,
                        verbose_name="target key",
                    ),
                ),
                (
                    "proposal_key",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Digest of what was proposed: one pending per value.",
                        max_length=64,
                        verbose_name="proposal key",
                    ),
                ),
                (
                    "estimated_cost",
                    models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="estimated cost"),
                ),
                ("estimated_reach", models.PositiveIntegerField(default=0, verbose_name="estimated reach")),
                ("confidence", models.FloatField(default=0.5, verbose_name="confidence")),
                (
                    "risk_level",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")],
                        default="medium",
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                ("risk_score", models.FloatField(default=0, verbose_name="risk score")),
                (
                    "risk_factors",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Each factor's contribution to the score.",
                        verbose_name="risk factors",
                    ),
                ),
                (
                    "workflow_snapshot",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The workflow's rules when requested.",
                        verbose_name="workflow snapshot",
                    ),
                ),
                ("approval_level", models.PositiveSmallIntegerField(default=1, verbose_name="approval level")),
                ("total_levels", models.PositiveSmallIntegerField(default=1, verbose_name="total levels")),
                ("required_approvals", models.PositiveSmallIntegerField(default=1, verbose_name="required approvals")),
                ("received_approvals", models.PositiveSmallIntegerField(default=0, verbose_name="received approvals")),
                (
                    "status",
                    django_fsm.FSMField(
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("executing", "Executing"),
                            ("executed", "Executed"),
                            ("failed", "Failed"),
                            ("rejected", "Rejected"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                            ("superseded", "Superseded"),
                            ("revising", "Revision asked"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=50,
                        protected=True,
                        verbose_name="status",
                    ),
                ),
                (
                    "priority",
                    models.PositiveSmallIntegerField(
                        default=3, help_text="1 is the most urgent.", verbose_name="priority"
                    ),
                ),
                ("decided_automatically", models.BooleanField(default=False, verbose_name="decided automatically")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested at")),
                ("approved_at", models.DateTimeField(blank=True, null=True, verbose_name="approved at")),
                ("approval_notes", tenants.fields.EncryptedTextField(blank=True, verbose_name="approval notes")),
                ("rejected_at", models.DateTimeField(blank=True, null=True, verbose_name="rejected at")),
                ("rejection_reason", tenants.fields.EncryptedTextField(blank=True, verbose_name="rejection reason")),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved at")),
                ("sla_deadline", models.DateTimeField(blank=True, null=True, verbose_name="SLA deadline")),
                ("sla_breached", models.BooleanField(default=False, verbose_name="SLA breached")),
                (
                    "sla_breach_duration_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="SLA breach (minutes)"),
                ),
                ("next_reminder_at", models.DateTimeField(blank=True, null=True, verbose_name="next reminder at")),
                ("escalation_due_at", models.DateTimeField(blank=True, null=True, verbose_name="escalation due at")),
                (
                    "expires_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Auto-approval or expiry, whichever applies.",
                        null=True,
                        verbose_name="expires at",
                    ),
                ),
                ("escalated_at", models.DateTimeField(blank=True, null=True, verbose_name="escalated at")),
                ("escalation_reason", tenants.fields.EncryptedTextField(blank=True, verbose_name="escalation reason")),
                ("reminder_count", models.PositiveSmallIntegerField(default=0, verbose_name="reminder count")),
                ("last_reminder_at", models.DateTimeField(blank=True, null=True, verbose_name="last reminder at")),
                ("executed_at", models.DateTimeField(blank=True, null=True, verbose_name="executed at")),
                (
                    "execution_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not started"),
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("retrying", "Waiting to retry"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="execution status",
                    ),
                ),
                ("execution_result", models.JSONField(blank=True, default=dict, verbose_name="execution result")),
                ("execution_error", models.TextField(blank=True, verbose_name="execution error")),
                ("execution_attempts", models.PositiveSmallIntegerField(default=0, verbose_name="execution attempts")),
                (
                    "execution_started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="execution started at"),
                ),
                (
                    "execution_queued_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="execution queued at"),
                ),
                ("compliance_flags", models.JSONField(blank=True, default=list, verbose_name="compliance flags")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "agent",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="approvals",
                        to="agents.aiagent",
                        verbose_name="agent",
                    ),
                ),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "assigned_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_approvals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned to",
                    ),
                ),
                (
                    "assignees",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Who may decide at the current level (kept in step by hitl.services.levels).",
                        related_name="approvals_to_decide",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignees",
                    ),
                ),
                (
                    "conversation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="approvals",
                        to="conversations.conversation",
                        verbose_name="conversation",
                    ),
                ),
                (
                    "escalated_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="escalated to",
                    ),
                ),
                (
                    "rejected_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="rejected by",
                    ),
                ),
                (
                    "related_to",
                    models.ForeignKey(
                        blank=True,
                        help_text="The request for the same target that waited when this one was filed, and that this one superseded.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="conflicting",
                        to="hitl.hitlapproval",
                        verbose_name="related to",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="requested_approvals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "revision_of",
                    models.ForeignKey(
                        blank=True,
                        help_text="The request an approver answered with a note: the agent proposed this one instead of it.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="revisions",
                        to="hitl.hitlapproval",
                        verbose_name="revision of",
                    ),
                ),
                (
                    "source_message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="approvals",
                        to="conversations.message",
                        verbose_name="source message",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="approvals",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "approvals",
                "verbose_name": "approval",
                "ordering": ["sla_deadline", "priority"],
                "permissions": [("decide_hitlapproval", "Can approve, reject and escalate approvals")],
                "indexes": [
                    models.Index(
                        fields=["tenant", "status", "sla_deadline", "priority"], name="hitl_hitlap_tenant__20b14f_idx"
                    ),
                    models.Index(fields=["tenant", "sla_deadline", "priority"], name="hitl_hitlap_tenant__3d6ef4_idx"),
                    models.Index(fields=["status", "sla_deadline"], name="hitl_hitlap_status_b9a581_idx"),
                    models.Index(fields=["status", "next_reminder_at"], name="hitl_hitlap_status_1ce127_idx"),
                    models.Index(fields=["status", "escalation_due_at"], name="hitl_hitlap_status_a6258e_idx"),
                    models.Index(fields=["status", "expires_at"], name="hitl_hitlap_status_0789ef_idx"),
                    models.Index(fields=["requested_by", "requested_at"], name="hitl_hitlap_request_f6086c_idx"),
                    models.Index(fields=["tenant", "requested_at"], name="hitl_hitlap_tenant__533828_idx"),
                    models.Index(fields=["tenant", "target_key", "status"], name="hitl_hitlap_tenant__5f939a_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "reference"), name="approval_reference_unique"),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending"), models.Q(("proposal_key", ""), _negated=True)),
                        fields=("tenant", "proposal_key"),
                        name="one_pending_approval_per_proposal",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending"), models.Q(("target_key", ""), _negated=True)),
                        fields=("tenant", "target_key"),
                        name="one_pending_approval_per_target",
                    ),
                ],
            },
            bases=(django_fsm.FSMModelMixin, models.Model),
        ),
        migrations.CreateModel(
            name="DeadlineFailure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.CharField(max_length=300, verbose_name="last error")),
                ("last_failed_at", models.DateTimeField(verbose_name="last failed at")),
                (
                    "approval",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deadline_failure",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
                    ),
                ),
            ],
            options={
                "verbose_name": "deadline failure",
                "verbose_name_plural": "deadline failures",
                "ordering": ["-last_failed_at"],
            },
        ),
        migrations.CreateModel(
            name="HITLWorkflow",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("is_active", models.BooleanField(default=True, verbose_name="is active")),
                (
                    "is_default",
                    models.BooleanField(
                        default=False,
                        help_text="Used when no other workflow of the tenant matches.",
                        verbose_name="is default",
                    ),
                ),
                (
                    "action_types",
                    models.JSONField(
                        blank=True, default=list, help_text="Empty: any action type.", verbose_name="action types"
                    ),
                ),
                (
                    "risk_levels",
                    models.JSONField(
                        blank=True, default=list, help_text="Empty: any risk level.", verbose_name="risk levels"
                    ),
                ),
                (
                    "min_cost_threshold",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="min cost threshold"
                    ),
                ),
                (
                    "max_cost_threshold",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="max cost threshold"
                    ),
                ),
                ("approval_levels", models.JSONField(default=list, verbose_name="approval levels")),
                (
                    "parallel_approval",
                    models.BooleanField(
                        default=True,
                        help_text="Notify every eligible approver of a level at once, rather than one assignee.",
                        verbose_name="parallel approval",
                    ),
                ),
                (
                    "unanimous_required",
                    models.BooleanField(
                        default=False,
                        help_text="Every eligible approver of a level must approve.",
                        verbose_name="unanimous required",
                    ),
                ),
                (
                    "sla_hours",
                    models.PositiveIntegerField(
                        default=24,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(8784),
                        ],
                        verbose_name="SLA hours",
                    ),
                ),
                (
                    "escalation_hours",
                    models.PositiveIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(8784),
                        ],
                        verbose_name="escalation hours",
                    ),
                ),
                (
                    "auto_approve_hours",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Approve automatically after this long (never for critical risk).",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(8784),
                        ],
                        verbose_name="auto approve hours",
                    ),
                ),
                (
                    "expire_hours",
                    models.PositiveIntegerField(
                        default=72,
                        help_text="Without auto-approval, expire after this long.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(8784),
                        ],
                        verbose_name="expire hours",
                    ),
                ),
                (
                    "notification_channels",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="email, in_app, slack, whatsapp.",
                        verbose_name="notification channels",
                    ),
                ),
                (
                    "slack_channel",
                    models.CharField(
                        blank=True,
                        help_text="Slack channel id (C0123ABCD) its requests are posted to, with buttons; empty: the workspace's default channel (docs/slack.md).",
                        max_length=32,
                        verbose_name="Slack channel",
                    ),
                ),
                (
                    "reminder_frequency_hours",
                    models.PositiveIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(8784),
                        ],
                        verbose_name="reminder frequency hours",
                    ),
                ),
                (
                    "max_reminders",
                    models.PositiveIntegerField(
                        default=3,
                        validators=[django.core.validators.MaxValueValidator(50)],
                        verbose_name="max reminders",
                    ),
                ),
                (
                    "auto_approve_conditions",
                    models.JSONField(blank=True, default=list, verbose_name="auto approve conditions"),
                ),
                (
                    "auto_reject_conditions",
                    models.JSONField(blank=True, default=list, verbose_name="auto reject conditions"),
                ),
                ("custom_rules", models.JSONField(blank=True, default=dict, verbose_name="custom rules")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "slack_responders",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Only these people may decide its requests from Slack; none chosen: anyone who may decide.",
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Slack responders",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hitl_workflows",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "workflows",
                "verbose_name": "workflow",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_active", True), ("is_default", True)),
                        fields=("tenant",),
                        name="one_active_default_workflow",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="hitlapproval",
            name="workflow",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="approvals",
                to="hitl.hitlworkflow",
                verbose_name="workflow",
            ),
        ),
        migrations.CreateModel(
            name="OneClickToken",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("decision", models.CharField(max_length=10, verbose_name="decision")),
                ("nonce", models.CharField(max_length=64, unique=True, verbose_name="nonce")),
                ("used_at", models.DateTimeField(auto_now_add=True, verbose_name="used at")),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
                    ),
                ),
                (
                    "approver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approver",
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
            options={"verbose_name_plural": "one-click tokens", "verbose_name": "one-click token"},
        ),
        migrations.CreateModel(
            name="RiskPolicy",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action_base_risk",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Points 0-25 per action type, e.g. {"set_budget": 20}.',
                        verbose_name="action base risk",
                    ),
                ),
                ("medium_threshold", models.PositiveSmallIntegerField(default=30, verbose_name="medium threshold")),
                ("high_threshold", models.PositiveSmallIntegerField(default=55, verbose_name="high threshold")),
                ("critical_threshold", models.PositiveSmallIntegerField(default=80, verbose_name="critical threshold")),
                (
                    "large_cost",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("10000"),
                        help_text="A cost this big is maximal in absolute terms.",
                        max_digits=14,
                        verbose_name="large cost",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="risk_policy",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk policy",
                "verbose_name_plural": "risk policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("medium_threshold__lt", models.F("high_threshold")),
                            ("high_threshold__lt", models.F("critical_threshold")),
                            ("critical_threshold__lte", 100),
                        ),
                        name="risk_thresholds_ordered",
                        violation_error_message="Thresholds must rise: medium < high < critical ≤ 100.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SlackApprovalMessage",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=32, verbose_name="channel")),
                ("ts", models.CharField(blank=True, max_length=32, verbose_name="message timestamp")),
                ("posted_at", models.DateTimeField(blank=True, null=True, verbose_name="posted at")),
                ("updated_at", models.DateTimeField(blank=True, null=True, verbose_name="updated at")),
                (
                    "status",
                    models.CharField(
                        choices=[("posted", "Posted"), ("failed", "Failed")],
                        default="posted",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="failed at")),
                ("failure_reason", models.TextField(blank=True, verbose_name="failure reason")),
                (
                    "approval",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slack_message",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
                    ),
                ),
            ],
            options={
                "verbose_name": "Slack message",
                "indexes": [models.Index(fields=["status", "-failed_at"], name="hitl_slacka_status_3936c0_idx")],
            },
        ),
        migrations.CreateModel(
            name="SlackWorkspace",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "team_id",
                    models.CharField(
                        help_text="The workspace's id in Slack, e.g. T0123ABCD (Slack: About this workspace).",
                        max_length=32,
                        unique=True,
                        verbose_name="team ID",
                    ),
                ),
                ("team_name", models.CharField(blank=True, max_length=200, verbose_name="team name")),
                (
                    "bot_token",
                    tenants.fields.EncryptedTextField(
                        help_text="The app's bot token, xoxb-…", verbose_name="bot token"
                    ),
                ),
                (
                    "signing_secret",
                    tenants.fields.EncryptedTextField(
                        help_text="The app's signing secret (Slack: Basic Information).", verbose_name="signing secret"
                    ),
                ),
                (
                    "default_channel",
                    models.CharField(
                        blank=True,
                        help_text="Channel id approvals go to when their workflow names none, e.g. C0123ABCD.",
                        max_length=32,
                        verbose_name="default channel",
                    ),
                ),
                (
                    "token_refusal",
                    models.CharField(
                        blank=True,
                        help_text="Slack's code when it last refused the bot token (e.g. invalid_auth); empty: not refused.",
                        max_length=64,
                        verbose_name="token refusal",
                    ),
                ),
                ("token_refused_at", models.DateTimeField(blank=True, null=True, verbose_name="token refused at")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slack_workspace",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={"verbose_name": "Slack workspace"},
        ),
        migrations.CreateModel(
            name="SlackUserLink",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slack_user_id", models.CharField(max_length=32, verbose_name="Slack user ID")),
                ("linked_at", models.DateTimeField(auto_now_add=True, verbose_name="linked at")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slack_links",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="hitl.slackworkspace",
                        verbose_name="workspace",
                    ),
                ),
            ],
            options={
                "verbose_name": "Slack user link",
                "constraints": [
                    models.UniqueConstraint(fields=("workspace", "slack_user_id"), name="one_link_per_slack_user"),
                    models.UniqueConstraint(fields=("workspace", "user"), name="one_slack_user_per_person"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HITLApprovalHistory",
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
                            ("created", "Requested"),
                            ("approval_recorded", "Approval recorded"),
                            ("level_approved", "Level approved"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("edited", "Edited"),
                            ("rerouted", "Sent to other approvers"),
                            ("escalated", "Escalated"),
                            ("escalation_failed", "Could not escalate"),
                            ("reminder", "Reminder sent"),
                            ("sla_breached", "Past its deadline"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                            ("superseded", "Superseded"),
                            ("execution_started", "Execution started"),
                            ("executed", "Done"),
                            ("execution_failed", "Failed to run"),
                            ("execution_retried", "Will run again"),
                            ("execution_late_answer", "Late answer from the execution"),
                            ("execution_abandoned", "Marked failed after no answer"),
                            ("execution_requeued", "Queued to run again"),
                            ("step_up_asked", "Second factor asked"),
                            ("responded", "Note to the agent"),
                            ("revision_failed", "No revision proposed"),
                        ],
                        max_length=40,
                        verbose_name="event type",
                    ),
                ),
                ("description", tenants.fields.EncryptedTextField(verbose_name="description")),
                (
                    "actor_role",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("admin", "Admin"),
                            ("approver", "Approver"),
                            ("support", "Support"),
                            ("compliance", "Compliance"),
                            ("member", "Member"),
                            ("superuser", "Platform"),
                        ],
                        max_length=20,
                        verbose_name="actor role",
                    ),
                ),
                ("actor_ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="actor IP address")),
                (
                    "previous_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("executing", "Executing"),
                            ("executed", "Executed"),
                            ("failed", "Failed"),
                            ("rejected", "Rejected"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                            ("superseded", "Superseded"),
                            ("revising", "Revision asked"),
                        ],
                        max_length=20,
                        verbose_name="previous status",
                    ),
                ),
                (
                    "new_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("executing", "Executing"),
                            ("executed", "Executed"),
                            ("failed", "Failed"),
                            ("rejected", "Rejected"),
                            ("expired", "Expired"),
                            ("cancelled", "Cancelled"),
                            ("superseded", "Superseded"),
                            ("revising", "Revision asked"),
                        ],
                        max_length=20,
                        verbose_name="new status",
                    ),
                ),
                ("changes", models.JSONField(blank=True, default=dict, verbose_name="changes")),
                ("metadata", models.JSONField(blank=True, default=dict, verbose_name="metadata")),
                ("timestamp", models.DateTimeField(auto_now_add=True, verbose_name="time")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
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
                "verbose_name": "history entry",
                "verbose_name_plural": "approval history",
                "ordering": ["timestamp"],
                "indexes": [
                    models.Index(fields=["approval", "timestamp"], name="hitl_hitlap_approva_62b739_idx"),
                    models.Index(fields=["timestamp"], name="hitl_hitlap_timesta_30c4b8_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HITLDecision",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                (
                    "decision",
                    models.CharField(
                        choices=[("approve", "Approve"), ("reject", "Reject")], max_length=10, verbose_name="decision"
                    ),
                ),
                ("notes", tenants.fields.EncryptedTextField(blank=True, verbose_name="notes")),
                (
                    "via",
                    models.CharField(
                        choices=[
                            ("admin", "Admin console"),
                            ("api", "API"),
                            ("link", "One-click link"),
                            ("email", "Email reply"),
                            ("whatsapp", "WhatsApp reply"),
                            ("slack", "Slack button"),
                            ("auto", "Automatic rule"),
                        ],
                        max_length=10,
                        verbose_name="via",
                    ),
                ),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="user agent")),
                (
                    "surface_ids",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Where the door says it was decided, e.g. Slack's team, user, channel and message.",
                        verbose_name="surface IDs",
                    ),
                ),
                ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="decided at")),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decisions",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
                    ),
                ),
                (
                    "approver",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approver",
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
                "verbose_name_plural": "decisions",
                "verbose_name": "decision",
                "ordering": ["decided_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("approver__isnull", False)),
                        fields=("approval", "level", "approver"),
                        name="one_decision_per_approver_per_level",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HITLNotification",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "Email"),
                            ("in_app", "In app"),
                            ("slack", "Slack"),
                            ("whatsapp", "WhatsApp"),
                        ],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "recipient_email",
                    tenants.fields.EncryptedTextField(
                        blank=True, kind="email", max_length=254, verbose_name="recipient email"
                    ),
                ),
                (
                    "recipient_phone",
                    tenants.fields.EncryptedTextField(
                        blank=True, kind="phone", max_length=20, verbose_name="recipient phone"
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("created", "Approval needed"),
                            ("reminder", "Reminder"),
                            ("escalated", "Escalated to them"),
                            ("decided", "Decided"),
                        ],
                        max_length=20,
                        verbose_name="event",
                    ),
                ),
                ("subject", models.CharField(blank=True, max_length=300, verbose_name="subject")),
                ("message", models.TextField(verbose_name="message")),
                ("template", models.CharField(blank=True, max_length=100, verbose_name="template")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sent", "Sent"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("provider", models.CharField(blank=True, max_length=20, verbose_name="provider")),
                (
                    "provider_message_id",
                    models.CharField(blank=True, max_length=255, verbose_name="provider message ID"),
                ),
                ("provider_response", models.JSONField(blank=True, default=dict, verbose_name="provider response")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="delivered at")),
                ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="failed at")),
                ("failure_reason", models.TextField(blank=True, verbose_name="failure reason")),
                ("is_reminder", models.BooleanField(default=False, verbose_name="is reminder")),
                ("reminder_number", models.PositiveSmallIntegerField(default=0, verbose_name="reminder number")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "approval",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="hitl.hitlapproval",
                        verbose_name="approval",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
                "verbose_name_plural": "notifications",
                "verbose_name": "notification",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["approval", "created_at"], name="hitl_hitlno_approva_7a0545_idx"),
                    models.Index(fields=["recipient", "status"], name="hitl_hitlno_recipie_292f3a_idx"),
                ],
            },
        ),
        RunSQLOnPostgreSQL(
            [HISTORY_APPEND_ONLY, HISTORY_GOES_WITH_ITS_APPROVAL, HISTORY_NO_TRUNCATE, HISTORY_ERASE_NOTES],
            HISTORY_DROP,
        ),
    ]
