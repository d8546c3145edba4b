import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import moment
from tenants.fields import EncryptedTextField
from tenants.roles import Role
from tenants.scoping import TenantScopedQuerySet

from .approval import ApprovalStatus


class HITLDecision(models.Model):
    """One approver's decision at one level. An approver counts once per level."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    class Via(models.TextChoices):
        ADMIN = "admin", _("Admin console")
        API = "api", _("API")
        LINK = "link", _("One-click link")
        EMAIL = "email", _("Email reply")
        WHATSAPP = "whatsapp", _("WhatsApp reply")
        SLACK = "slack", _("Slack button")
        AUTO = "auto", _("Automatic rule")
        STANDING = "standing", _("Standing approval")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    approval = models.ForeignKey(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="decisions", verbose_name=_("approval")
    )
    level = models.PositiveSmallIntegerField(verbose_name=_("level"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("approver")
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, verbose_name=_("decision"))
    notes = EncryptedTextField(blank=True, verbose_name=_("notes"))
    via = models.CharField(max_length=10, choices=Via.choices, verbose_name=_("via"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))
    surface_ids = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Where the door says it was decided, e.g. Slack's team, user, channel and message."),
        verbose_name=_("surface IDs"),
    )
    decided_at = models.DateTimeField(auto_now_add=True, verbose_name=_("decided at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["approval", "level", "approver"],
                condition=models.Q(approver__isnull=False),
                name="one_decision_per_approver_per_level",
            )
        ]
        indexes = [models.Index(fields=["tenant", "decided_at"])]  # the approval reports' top approvers of a range

    def __str__(self):
        return f"{self.approval.reference}: {self.get_decision_display()} ({self.get_via_display()})"


class HistoryQuerySet(TenantScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Approval history cannot be changed (hitl.history.erase_notes blanks a note).")

    def delete(self):
        raise PermissionDenied("Approval history cannot be deleted; it goes only with its approval.")


# Who acted, as they were then: one of the tenant's roles, or Walker's operator (a superuser, no tenant role).
ACTOR_ROLES = [*Role.choices, ("superuser", _("Platform"))]


class HITLApprovalHistory(models.Model):
    """Append-only record of everything that happened to an approval.

    On PostgreSQL the database refuses changes too (its triggers, hitl/migrations/0001): a row goes only with its
    approval (a tenant's deletion), its actor becomes empty when that account is deleted, and its note
    (`description`, and `said`, the same note kept to be told in each reader's language) is blanked only through
    `hitl.history.erase_notes`. Elsewhere this model and its queryset
    refuse them.
    """

    class Event(models.TextChoices):
        """What happened, as the approval page's timeline, the live console, the API and the CSV name it."""

        CREATED = "created", _("Requested")
        APPROVAL_RECORDED = "approval_recorded", _("Approval recorded")
        LEVEL_APPROVED = "level_approved", _("Level approved")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EDITED = "edited", _("Edited")
        REROUTED = "rerouted", _("Sent to other approvers")
        ESCALATED = "escalated", _("Escalated")
        ESCALATION_FAILED = "escalation_failed", _("Could not escalate")
        REMINDER = "reminder", _("Reminder sent")
        SLA_BREACHED = "sla_breached", _("Past its deadline")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        SUPERSEDED = "superseded", _("Superseded")
        EXECUTION_STARTED = "execution_started", _("Execution started")
        EXECUTED = "executed", _("Done")
        EXECUTION_FAILED = "execution_failed", _("Failed to run")
        EXECUTION_RETRIED = "execution_retried", _("Will run again")
        EXECUTION_LATE_ANSWER = "execution_late_answer", _("Late answer from the execution")
        EXECUTION_ABANDONED = "execution_abandoned", _("Marked failed after no answer")
        EXECUTION_REQUEUED = "execution_requeued", _("Queued to run again")
        STEP_UP_ASKED = "step_up_asked", _("Second factor asked")
        RESPONDED = "responded", _("Note to the agent")
        REVISION_FAILED = "revision_failed", _("No revision proposed")
        TARGET_CHANGED = "target_changed", _("Changed outside Walker")
        STANDING_GIVEN = "standing_given", _("Standing approval given")
        STANDING_REVOKED = "standing_revoked", _("Standing approval revoked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    approval = models.ForeignKey(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="history", verbose_name=_("approval")
    )
    event_type = models.CharField(max_length=40, choices=Event.choices, verbose_name=_("event type"))
    description = EncryptedTextField(verbose_name=_("description"))  # quotes reasons and names people
    # The same note kept to be told in each reader's language (core.sentence, JSON); blanked with it.
    said = EncryptedTextField(blank=True, default="", verbose_name=_("note as kept"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    actor_role = models.CharField(max_length=20, blank=True, choices=ACTOR_ROLES, verbose_name=_("actor role"))
    actor_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("actor IP address"))
    previous_status = models.CharField(
        max_length=20, blank=True, choices=ApprovalStatus.choices, verbose_name=_("previous status")
    )
    new_status = models.CharField(
        max_length=20, blank=True, choices=ApprovalStatus.choices, verbose_name=_("new status")
    )
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    timestamp = models.DateTimeField(auto_now_add=True, verbose_name=_("time"))

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["timestamp"]
        verbose_name = _("history entry")
        verbose_name_plural = _("approval history")
        indexes = [
            models.Index(fields=["approval", "timestamp"]),
            models.Index(fields=["timestamp"]),  # the consoles' readers look at the newest rows (console.follow)
        ]

    def __str__(self):
        return f"{self.approval.reference}: {self.get_event_type_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Approval history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Approval history cannot be deleted; it goes only with its approval.")


class HITLNotification(models.Model):
    class Event(models.TextChoices):
        """What the person is told of."""

        CREATED = "created", _("Approval needed")
        REMINDER = "reminder", _("Reminder")
        ESCALATED = "escalated", _("Escalated to them")
        DECIDED = "decided", _("Decided")
        OUTCOME = "outcome", _("Outcome reported")  # by an agent outside Walker that carried out the action
        TARGET_CHANGED = "target_changed", _("Its target changed elsewhere")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In app")
        SLACK = "slack", _("Slack")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    approval = models.ForeignKey(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("approval")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("recipient")
    )
    recipient_email = EncryptedTextField(blank=True, max_length=254, kind="email", verbose_name=_("recipient email"))
    recipient_phone = EncryptedTextField(blank=True, max_length=20, kind="phone", verbose_name=_("recipient phone"))
    event = models.CharField(max_length=20, choices=Event.choices, verbose_name=_("event"))
    subject = models.CharField(max_length=300, blank=True, verbose_name=_("subject"))
    message = models.TextField(verbose_name=_("message"))
    template = models.CharField(max_length=100, blank=True, verbose_name=_("template"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    provider = models.CharField(max_length=20, blank=True, verbose_name=_("provider"))
    provider_message_id = models.CharField(max_length=255, blank=True, verbose_name=_("provider message ID"))
    provider_response = models.JSONField(default=dict, blank=True, verbose_name=_("provider response"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    failed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("failed at"))
    failure_reason = models.TextField(blank=True, verbose_name=_("failure reason"))
    is_reminder = models.BooleanField(default=False, verbose_name=_("is reminder"))
    reminder_number = models.PositiveSmallIntegerField(default=0, verbose_name=_("reminder number"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["approval", "created_at"]), models.Index(fields=["recipient", "status"])]

    def __str__(self):
        # not the approval's reference: lists of sends show a notification each, and it would cost a query each
        return f"{self.get_event_display()} ({self.get_channel_display()}, {moment(self.created_at)})"


class OneClickToken(models.Model):
    """Marks a one-click decision link as used, so each link decides at most once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    approval = models.ForeignKey(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="+", verbose_name=_("approval")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("approver")
    )
    decision = models.CharField(max_length=10, verbose_name=_("decision"))
    nonce = models.CharField(max_length=64, unique=True, verbose_name=_("nonce"))
    used_at = models.DateTimeField(auto_now_add=True, verbose_name=_("used at"))

    class Meta:
        verbose_name = _("one-click token")
        verbose_name_plural = _("one-click tokens")

    def __str__(self):
        return f"{self.approval.reference}: {self.decision} ({moment(self.used_at)})"
