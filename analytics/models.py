import json
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import moment
from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.privacy.sealing import placeholders, seal, unseal
from tenants.scoping import TenantScopedQuerySet


class EventType(models.TextChoices):
    CONVERSATION_OPENED = "conversation_opened", _("Conversation opened")
    CONVERSATION_CLOSED = "conversation_closed", _("Conversation closed")
    MESSAGE_RECEIVED = "message_received", _("Message received")
    AGENT_RESPONDED = "agent_responded", _("Agent responded")
    HANDOFF = "handoff", _("Conversation handed to another agent")
    SATISFACTION_ASKED = "satisfaction_asked", _("Satisfaction rating asked for")
    SATISFACTION_RATED = "satisfaction_rated", _("Satisfaction rated")
    CHANNEL_FAILURE = "channel_failure", _("Message could not be delivered on its channel")
    UNKNOWN_SENDER = "unknown_sender", _("Message from an unknown or unverified sender")
    ENGINE_ERROR = "engine_error", _("Engine error")
    ANSWER_FAILED = "answer_failed", _("Message not answered: every attempt failed")
    ACTION_REFUSED = "action_refused", _("Action refused by the gateway")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVAL_APPROVED = "approval_approved", _("Approval approved")
    APPROVAL_REJECTED = "approval_rejected", _("Approval rejected")
    APPROVAL_ESCALATED = "approval_escalated", _("Approval escalated")
    APPROVAL_EXPIRED = "approval_expired", _("Approval expired")
    APPROVAL_CANCELLED = "approval_cancelled", _("Approval cancelled")
    SLA_BREACHED = "sla_breached", _("Approval SLA breached")
    EXECUTION_SUCCEEDED = "execution_succeeded", _("Action executed")
    EXECUTION_FAILED = "execution_failed", _("Action execution failed")
    NOTIFICATION_SENT = "notification_sent", _("Notification sent")
    NOTIFICATION_DELIVERED = "notification_delivered", _("Notification delivered")
    NOTIFICATION_FAILED = "notification_failed", _("Notification failed")
    # Human takeover (conversations.takeover): the user is the person of the tenant who acted.
    TAKEN_OVER = "conversation_taken_over", _("Conversation taken over by a person")
    ASSIGNED = "conversation_assigned", _("Conversation assigned to a person")
    HUMAN_REPLIED = "human_replied", _("A person replied")
    NOTE_ADDED = "note_added", _("Internal note added")
    RELEASED = "conversation_released", _("Conversation handed back to the agents")
    RESOLVED = "conversation_resolved", _("Conversation resolved by a person")


# The events that concern one conversation: the metrics job reads them to find what changed (not HANDOFF,
# MESSAGE_RECEIVED and AGENT_RESPONDED: that job records those itself, from the messages it reads).
CONVERSATION_EVENTS = [
    EventType.CONVERSATION_OPENED,
    EventType.CONVERSATION_CLOSED,
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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    event_type = models.CharField(max_length=40, choices=EventType.choices, verbose_name=_("event type"))
    # Plain ids, not foreign keys: analytics sits below the apps whose rows it describes.
    conversation_id = models.UUIDField(null=True, blank=True, verbose_name=_("conversation ID"))
    subject_id = models.UUIDField(
        null=True,
        blank=True,
        help_text=_("The message, approval or agent the event is about."),
        verbose_name=_("subject ID"),
    )
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    objects = PlatformEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform event")
        verbose_name_plural = _("platform events")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "event_type", "created_at"]),
            models.Index(fields=["conversation_id", "created_at"]),
        ]

    def __str__(self):
        return _("%(what)s at %(time)s") % {"what": self.get_event_type_display(), "time": moment(self.created_at)}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Platform events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Platform events cannot be deleted.")


class ConversationMetrics(models.Model):
    """One conversation's figures (the seed's CONVERSATION_METRICS), kept current by reports.tasks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    conversation_id = models.UUIDField(unique=True, verbose_name=_("conversation ID"))
    channel = models.CharField(max_length=10, verbose_name=_("channel"))
    agent_types = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The agents that answered, in order of first reply."),
        verbose_name=_("agent types"),
    )
    message_count = models.PositiveIntegerField(default=0, verbose_name=_("message count"))
    duration_seconds = models.PositiveIntegerField(default=0, verbose_name=_("duration seconds"))
    first_response_ms = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("first response ms"))
    avg_response_time_ms = models.FloatField(null=True, blank=True, verbose_name=_("avg response time ms"))
    user_satisfaction_score = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("user satisfaction score")
    )
    issue_resolved = models.BooleanField(default=False, verbose_name=_("issue resolved"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person of the tenant who resolved it (its holder); empty when the agents' answer closed it."),
        verbose_name=_("resolved by"),
    )
    escalated_to_human = models.BooleanField(default=False, verbose_name=_("escalated to human"))
    hitl_approvals_count = models.PositiveIntegerField(default=0, verbose_name=_("hitl approvals count"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    computed_at = models.DateTimeField(auto_now=True, verbose_name=_("computed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("conversation metrics")
        verbose_name_plural = _("conversation metrics")
        indexes = [
            models.Index(fields=["tenant", "started_at"]),
            models.Index(fields=["tenant", "channel", "started_at"]),
        ]

    def __str__(self):
        return f"Conversation {str(self.conversation_id)[:8]}"


class ConversationAgent(models.Model):
    """An agent that answered in a conversation: grouping by agent counts every agent that answered."""

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    metrics = models.ForeignKey(
        ConversationMetrics, on_delete=models.CASCADE, related_name="agents", verbose_name=_("metrics")
    )
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    agent_type = models.CharField(max_length=20, verbose_name=_("agent type"))
    replies = models.PositiveIntegerField(default=0, verbose_name=_("replies"))
    started_at = models.DateTimeField(
        help_text=_("The conversation's start, copied for range filters."), verbose_name=_("started at")
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation agent")
        verbose_name_plural = _("conversation agents")
        constraints = [models.UniqueConstraint(fields=["metrics", "agent_type"], name="one_row_per_agent")]
        indexes = [models.Index(fields=["tenant", "agent_type", "started_at"])]

    def __str__(self):
        return f"{self.agent_type}, {moment(self.started_at)}"


class PeriodType(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class HITLAnalytics(models.Model):
    """Approvals requested in one period of one tenant (days, weeks, months in the tenant's time zone).

    Costs are kept per currency (an approval's estimated cost is in its campaign's): never added across currencies.

    Recomputing a period replaces its row (unique per tenant, period type and start).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    period_type = models.CharField(max_length=5, choices=PeriodType.choices, verbose_name=_("period type"))
    period_start = models.DateField(
        help_text=_("First day of the period in the tenant's time zone."), verbose_name=_("period start")
    )
    total_requests = models.PositiveIntegerField(default=0, verbose_name=_("total requests"))
    total_approved = models.PositiveIntegerField(default=0, verbose_name=_("total approved"))
    total_rejected = models.PositiveIntegerField(default=0, verbose_name=_("total rejected"))
    total_expired = models.PositiveIntegerField(default=0, verbose_name=_("total expired"))
    total_cancelled = models.PositiveIntegerField(default=0, verbose_name=_("total cancelled"))
    total_pending = models.PositiveIntegerField(default=0, verbose_name=_("total pending"))
    avg_decision_minutes = models.FloatField(null=True, blank=True, verbose_name=_("avg decision minutes"))
    median_decision_minutes = models.FloatField(null=True, blank=True, verbose_name=_("median decision minutes"))
    p90_decision_minutes = models.FloatField(null=True, blank=True, verbose_name=_("p90 decision minutes"))
    sla_compliance_rate = models.FloatField(
        null=True, blank=True, help_text=_("0 to 1; empty when no SLA came due."), verbose_name=_("SLA compliance rate")
    )
    low_risk_count = models.PositiveIntegerField(default=0, verbose_name=_("low risk count"))
    medium_risk_count = models.PositiveIntegerField(default=0, verbose_name=_("medium risk count"))
    high_risk_count = models.PositiveIntegerField(default=0, verbose_name=_("high risk count"))
    critical_risk_count = models.PositiveIntegerField(default=0, verbose_name=_("critical risk count"))
    action_type_breakdown = models.JSONField(default=dict, blank=True, verbose_name=_("action type breakdown"))
    cost_approved = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Estimated costs of the approved requests, per currency: {"USD": "10144.93", "JPY": "9000"}.'),
        verbose_name=_("cost approved"),
    )
    cost_rejected = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Estimated costs of the rejected requests, per currency."),
        verbose_name=_("cost rejected"),
    )
    top_approvers = models.JSONField(default=list, blank=True, verbose_name=_("top approvers"))
    computed_at = models.DateTimeField(auto_now=True, verbose_name=_("computed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_type"]
        verbose_name = _("approval analytics")
        verbose_name_plural = _("approval analytics")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period_type", "period_start"], name="one_row_per_period")
        ]

    def __str__(self):
        return f"{self.get_period_type_display()} of {self.period_start:%Y-%m-%d}"


class Watermark(models.Model):
    """How far a periodic analytics job has read, per tenant (Zulip's FillState)."""

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    job = models.CharField(max_length=40, verbose_name=_("job"))
    reached = models.DateTimeField(verbose_name=_("reached"))

    class Meta:
        verbose_name = _("watermark")
        verbose_name_plural = _("watermarks")
        constraints = [models.UniqueConstraint(fields=["tenant", "job"], name="one_watermark_per_job")]

    def __str__(self):
        return f"{self.job}: {self.reached:%Y-%m-%d %H:%M:%S}"


class EmailDeliveryLog(HashedFieldsMixin, models.Model):
    """One row per email Walker sends, with what the provider said about it since.

    `reference` names what the email carries ("notification:<id>", "message:<id>", "direct:<id>") so a
    retried send finds its row; the row's id travels in the email's `custom_args` so provider events map back.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent (accepted by the provider)")
        DEFERRED = "deferred", _("Deferred")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        BOUNCED = "bounced", _("Bounced")
        DROPPED = "dropped", _("Dropped")
        SPAM = "spam", _("Reported as spam")
        FAILED = "failed", _("Failed")

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
        REPLY = "reply", _("Agent reply")
        APPROVAL = "approval", _("Approval request")
        REMINDER = "reminder", _("Approval reminder")
        ESCALATION = "escalation", _("Approval escalated")
        OUTCOME = "outcome", _("Approval outcome")
        COMMAND = "command", _("Answer to an emailed command")
        UNKNOWN_SENDER = "unknown_sender", _("Answer to an unknown sender")
        SYSTEM = "system", _("System email")
        DAILY_BRIEF = "daily_brief", _("Daily brief")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("user")
    )
    to_address = EncryptedTextField(
        max_length=254, kind="email", hash_field="to_address_hash", verbose_name=_("to address")
    )
    to_address_hash = KeyedHashField(of="to_address", db_index=True, verbose_name=_("to address hash"))
    email_type = models.CharField(max_length=20, choices=EmailType.choices, verbose_name=_("email type"))
    # A reply repeats the person's own subject: kept sealed like message text (tenants.privacy.sealing), its personal
    # data encrypted beside it; `subject` reads and writes it as written, `masked_subject` decrypts nothing.
    sealed_subject = models.CharField(max_length=300, blank=True, db_column="subject", verbose_name=_("sealed subject"))
    subject_values = EncryptedTextField(
        blank=True, help_text=_("The personal data lifted out of the subject."), verbose_name=_("subject values")
    )
    reference = models.CharField(max_length=80, unique=True, verbose_name=_("reference"))
    provider = models.CharField(max_length=20, blank=True, verbose_name=_("provider"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status"))
    message_id = models.CharField(
        max_length=255, blank=True, help_text=_("The provider's id for the email."), verbose_name=_("message ID")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    opened_at = models.DateTimeField(null=True, blank=True, verbose_name=_("opened at"))
    clicked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("clicked at"))
    bounced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("bounced at"))
    failure_reason = models.TextField(blank=True, verbose_name=_("failure reason"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("email delivery log")
        verbose_name_plural = _("email delivery log")
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
