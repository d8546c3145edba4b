import json
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.scoping import TenantScopedQuerySet
from tenants.sealing import placeholders, seal, unseal


class EventType(models.TextChoices):
    CONVERSATION_OPENED = "conversation_opened", "Conversation opened"
    CONVERSATION_CLOSED = "conversation_closed", "Conversation closed"
    MESSAGE_RECEIVED = "message_received", "Message received"
    AGENT_RESPONDED = "agent_responded", "Agent responded"
    HANDOFF = "handoff", "Conversation handed to another agent"
    SATISFACTION_RATED = "satisfaction_rated", "Satisfaction rated"
    CHANNEL_FAILURE = "channel_failure", "Message could not be delivered on its channel"
    UNKNOWN_SENDER = "unknown_sender", "Message from an unknown or unverified sender"
    ENGINE_ERROR = "engine_error", "Engine error"
    ANSWER_FAILED = "answer_failed", "Message not answered: every attempt failed"
    ACTION_REFUSED = "action_refused", "Action refused by the gateway"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    APPROVAL_APPROVED = "approval_approved", "Approval approved"
    APPROVAL_REJECTED = "approval_rejected", "Approval rejected"
    APPROVAL_ESCALATED = "approval_escalated", "Approval escalated"
    APPROVAL_EXPIRED = "approval_expired", "Approval expired"
    APPROVAL_CANCELLED = "approval_cancelled", "Approval cancelled"
    SLA_BREACHED = "sla_breached", "Approval SLA breached"
    EXECUTION_SUCCEEDED = "execution_succeeded", "Action executed"
    EXECUTION_FAILED = "execution_failed", "Action execution failed"
    NOTIFICATION_SENT = "notification_sent", "Notification sent"
    NOTIFICATION_DELIVERED = "notification_delivered", "Notification delivered"
    NOTIFICATION_FAILED = "notification_failed", "Notification failed"
    # Human takeover (conversations.takeover): the user is the person of the tenant who acted.
    TAKEN_OVER = "conversation_taken_over", "Conversation taken over by a person"
    ASSIGNED = "conversation_assigned", "Conversation assigned to a person"
    HUMAN_REPLIED = "human_replied", "A person replied"
    NOTE_ADDED = "note_added", "Internal note added"
    RELEASED = "conversation_released", "Conversation handed back to the agents"
    RESOLVED = "conversation_resolved", "Conversation resolved by a person"


# The events that concern one conversation: the metrics job reads them to find what changed
# (not HANDOFF: that job records those itself).
CONVERSATION_EVENTS = [
    EventType.CONVERSATION_OPENED,
    EventType.CONVERSATION_CLOSED,
    EventType.MESSAGE_RECEIVED,
    EventType.AGENT_RESPONDED,
    EventType.HUMAN_REPLIED,  # a person's reply counts among the conversation's messages
    EventType.SATISFACTION_RATED,
    EventType.CHANNEL_FAILURE,
    EventType.ENGINE_ERROR,
    EventType.ANSWER_FAILED,
    EventType.APPROVAL_REQUESTED,
    EventType.APPROVAL_APPROVED,
    EventType.APPROVAL_REJECTED,
    EventType.APPROVAL_ESCALATED,
    EventType.APPROVAL_EXPIRED,
    EventType.APPROVAL_CANCELLED,
    EventType.EXECUTION_SUCCEEDED,
    EventType.EXECUTION_FAILED,
]


class PlatformEventQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Platform events cannot be changed.")

    def delete(self):
        raise PermissionDenied("Platform events cannot be deleted.")


class PlatformEvent(models.Model):
    """An append-only log of what happened; aggregates are computed from it by scheduled jobs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # Plain ids, not foreign keys: analytics sits below the apps whose rows it describes.
    conversation_id = models.UUIDField(null=True, blank=True)
    subject_id = models.UUIDField(null=True, blank=True, help_text="The message, approval or agent the event is about.")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PlatformEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "event_type", "created_at"]),
            models.Index(fields=["conversation_id", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_event_type_display()} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Platform events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Platform events cannot be deleted.")


class ConversationMetrics(models.Model):
    """One conversation's figures (the seed's CONVERSATION_METRICS), kept current by analytics.tasks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    conversation_id = models.UUIDField(unique=True)
    channel = models.CharField(max_length=10)
    agent_types = models.JSONField(
        default=list, blank=True, help_text="The agents that answered, in order of first reply."
    )
    message_count = models.PositiveIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(default=0)
    first_response_ms = models.PositiveBigIntegerField(null=True, blank=True)
    avg_response_time_ms = models.FloatField(null=True, blank=True)
    user_satisfaction_score = models.PositiveSmallIntegerField(null=True, blank=True)
    issue_resolved = models.BooleanField(default=False)
    escalated_to_human = models.BooleanField(default=False)
    hitl_approvals_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "conversation metrics"
        verbose_name_plural = "conversation metrics"
        indexes = [
            models.Index(fields=["tenant", "started_at"]),
            models.Index(fields=["tenant", "channel", "started_at"]),
        ]

    def __str__(self):
        return f"Conversation {str(self.conversation_id)[:8]}"


class ConversationAgent(models.Model):
    """An agent that answered in a conversation: grouping by agent counts every agent that answered."""

    id = models.BigAutoField(primary_key=True)
    metrics = models.ForeignKey(ConversationMetrics, on_delete=models.CASCADE, related_name="agents")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    agent_type = models.CharField(max_length=20)
    replies = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(help_text="The conversation's start, copied for range filters.")

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["metrics", "agent_type"], name="one_row_per_agent")]
        indexes = [models.Index(fields=["tenant", "agent_type", "started_at"])]


class PeriodType(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class HITLAnalytics(models.Model):
    """Approvals requested in one period of one tenant (days, weeks, months in the tenant's time zone).

    Recomputing a period replaces its row (unique per tenant, period type and start).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    period_type = models.CharField(max_length=5, choices=PeriodType.choices)
    period_start = models.DateField(help_text="First day of the period in the tenant's time zone.")
    total_requests = models.PositiveIntegerField(default=0)
    total_approved = models.PositiveIntegerField(default=0)
    total_rejected = models.PositiveIntegerField(default=0)
    total_expired = models.PositiveIntegerField(default=0)
    total_cancelled = models.PositiveIntegerField(default=0)
    total_pending = models.PositiveIntegerField(default=0)
    avg_decision_minutes = models.FloatField(null=True, blank=True)
    median_decision_minutes = models.FloatField(null=True, blank=True)
    p90_decision_minutes = models.FloatField(null=True, blank=True)
    sla_compliance_rate = models.FloatField(
        null=True, blank=True, verbose_name=_("SLA compliance rate"), help_text="0 to 1; empty when no SLA came due."
    )
    low_risk_count = models.PositiveIntegerField(default=0)
    medium_risk_count = models.PositiveIntegerField(default=0)
    high_risk_count = models.PositiveIntegerField(default=0)
    critical_risk_count = models.PositiveIntegerField(default=0)
    action_type_breakdown = models.JSONField(default=dict, blank=True)
    total_estimated_cost_approved = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    total_estimated_cost_rejected = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    top_approvers = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_type"]
        verbose_name = "approval analytics"
        verbose_name_plural = "approval analytics"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period_type", "period_start"], name="one_row_per_period")
        ]

    def __str__(self):
        return f"{self.get_period_type_display()} of {self.period_start:%Y-%m-%d}"


class Watermark(models.Model):
    """How far a periodic analytics job has read, per tenant (Zulip's FillState)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    job = models.CharField(max_length=40)
    reached = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "job"], name="one_watermark_per_job")]


class EmailDeliveryLog(HashedFieldsMixin, models.Model):
    """One row per email Walker sends, with what the provider said about it since.

    `reference` names what the email carries ("notification:<id>", "message:<id>", "direct:<id>") so a
    retried send finds its row; the row's id travels in the email's `custom_args` so provider events map back.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent (accepted by the provider)"
        DEFERRED = "deferred", "Deferred"
        DELIVERED = "delivered", "Delivered"
        OPENED = "opened", "Opened"
        CLICKED = "clicked", "Clicked"
        BOUNCED = "bounced", "Bounced"
        DROPPED = "dropped", "Dropped"
        SPAM = "spam", "Reported as spam"
        FAILED = "failed", "Failed"

    # A status only ever moves up this order: a late "processed" never hides a "delivered".
    RANK = {
        Status.QUEUED: 0,
        Status.FAILED: 1,
        Status.SENT: 2,
        Status.DEFERRED: 3,
        Status.DELIVERED: 4,
        Status.OPENED: 5,
        Status.CLICKED: 6,
        Status.DROPPED: 7,
        Status.BOUNCED: 8,
        Status.SPAM: 9,
    }

    class EmailType(models.TextChoices):
        REPLY = "reply", "Agent reply"
        APPROVAL = "approval", "Approval request"
        REMINDER = "reminder", "Approval reminder"
        ESCALATION = "escalation", "Approval escalated"
        OUTCOME = "outcome", "Approval outcome"
        COMMAND = "command", "Answer to an emailed command"
        UNKNOWN_SENDER = "unknown_sender", "Answer to an unknown sender"
        SYSTEM = "system", "System email"
        DAILY_BRIEF = "daily_brief", "Daily brief"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    to_address = EncryptedTextField(max_length=254, kind="email", hash_field="to_address_hash")
    to_address_hash = KeyedHashField(of="to_address", db_index=True)
    email_type = models.CharField(max_length=20, choices=EmailType.choices)
    # A reply repeats the person's own subject: kept sealed like message text (tenants.sealing), its personal
    # data encrypted beside it; `subject` reads and writes it as written, `masked_subject` decrypts nothing.
    sealed_subject = models.CharField(max_length=300, blank=True, db_column="subject")
    subject_values = EncryptedTextField(blank=True, help_text="The personal data lifted out of the subject.")
    reference = models.CharField(max_length=80, unique=True)
    provider = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message_id = models.CharField(max_length=255, blank=True, help_text="The provider's id for the email.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"]), models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return f"{self.get_email_type_display()} email {str(self.pk)[:8]}"

    @property
    def subject(self) -> str:
        values = json.loads(self.subject_values) if self.subject_values else []
        return unseal(self.sealed_subject, values)

    @subject.setter
    def subject(self, value: str) -> None:
        self.sealed_subject, values = seal((value or "")[:300])
        self.subject_values = json.dumps(values) if values else ""  # the field encrypts it

    @property
    def masked_subject(self) -> str:
        return placeholders(self.sealed_subject)
