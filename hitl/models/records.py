import uuid

from django.conf import settings
from django.db import models

from tenants.fields import EncryptedTextField
from tenants.scoping import TenantScopedQuerySet


class HITLDecision(models.Model):
    """One approver's decision at one level. An approver counts once per level."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin console"
        API = "api", "API"
        LINK = "link", "One-click link"
        EMAIL = "email", "Email reply"
        WHATSAPP = "whatsapp", "WhatsApp reply"
        AUTO = "auto", "Automatic rule"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    approval = models.ForeignKey("hitl.HITLApproval", on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    notes = models.TextField(blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at"]
        verbose_name = "decision"
        constraints = [
            models.UniqueConstraint(
                fields=["approval", "level", "approver"],
                condition=models.Q(approver__isnull=False),
                name="one_decision_per_approver_per_level",
            )
        ]


class HITLApprovalHistory(models.Model):
    """Append-only record of everything that happened to an approval."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    approval = models.ForeignKey("hitl.HITLApproval", on_delete=models.CASCADE, related_name="history")
    event_type = models.CharField(max_length=40)
    description = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_ip = models.GenericIPAddressField(null=True, blank=True)
    previous_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["timestamp"]
        verbose_name = "history entry"
        verbose_name_plural = "approval history"
        indexes = [models.Index(fields=["approval", "timestamp"])]


class HITLNotification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        IN_APP = "in_app", "In app"
        SLACK = "slack", "Slack"
        WHATSAPP = "whatsapp", "WhatsApp"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    approval = models.ForeignKey("hitl.HITLApproval", on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recipient_email = EncryptedTextField(blank=True, max_length=254, kind="email")
    recipient_phone = EncryptedTextField(blank=True, max_length=20, kind="phone")
    event = models.CharField(max_length=20, help_text="created, reminder, escalated or decided.")
    subject = models.CharField(max_length=300, blank=True)
    message = models.TextField()
    template = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    provider_response = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    is_reminder = models.BooleanField(default=False)
    reminder_number = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "notification"
        indexes = [models.Index(fields=["approval", "created_at"]), models.Index(fields=["recipient", "status"])]


class OneClickToken(models.Model):
    """Marks a one-click decision link as used, so each link decides at most once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    approval = models.ForeignKey("hitl.HITLApproval", on_delete=models.CASCADE, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10)
    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)
