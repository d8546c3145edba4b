"""WhatsApp configuration per tenant, and the records that make the channel idempotent and trackable."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.phones import normalize_phone
from tenants.scoping import TenantScopedQuerySet


class WhatsAppSender(models.Model):
    """The tenant's WhatsApp number: inbound messages written to it belong to the tenant, replies come from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="whatsapp_sender")
    number = models.CharField(
        max_length=32, unique=True, help_text="The WhatsApp-enabled Twilio number, with its country code."
    )
    messaging_service_sid = models.CharField(
        max_length=34, blank=True, help_text="Optional Twilio Messaging Service (MG…) to send through instead."
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "WhatsApp number"

    def __str__(self):
        return self.number

    def clean(self):
        super().clean()
        self.number = normalize_phone(self.number)
        if self.messaging_service_sid and not self.messaging_service_sid.startswith("MG"):
            raise ValidationError({"messaging_service_sid": "A Messaging Service SID starts with MG."})

    def save(self, *args, **kwargs):
        self.number = normalize_phone(self.number)
        super().save(*args, **kwargs)


class TemplatePurpose(models.TextChoices):
    VERIFICATION = "verification", "Verification code"
    NOTIFICATION = "notification", "Approval notification"
    OUTCOME = "outcome", "Approval outcome"


# What each purpose can fill a template's variables with.
TEMPLATE_FIELDS = {
    TemplatePurpose.VERIFICATION: ("code",),
    TemplatePurpose.NOTIFICATION: ("reference", "subject", "summary"),
    TemplatePurpose.OUTCOME: ("reference", "status", "summary", "text"),
}


class WhatsAppTemplate(models.Model):
    """An approved WhatsApp template (Twilio Content SID), used outside the 24-hour customer-care window."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="whatsapp_templates")
    purpose = models.CharField(max_length=20, choices=TemplatePurpose.choices)
    content_sid = models.CharField(max_length=34, help_text="The approved template's Content SID (HX…).")
    variables = models.JSONField(
        default=dict,
        blank=True,
        help_text='Template variable number to field, e.g. {"1": "reference", "2": "summary"}. '
        "Fields: code (verification); reference, subject, summary (notification); "
        "reference, status, summary, text (outcome).",
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "WhatsApp template"
        constraints = [models.UniqueConstraint(fields=["tenant", "purpose"], name="one_whatsapp_template_per_purpose")]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.content_sid})"

    def clean(self):
        super().clean()
        errors = {}
        if not self.content_sid.startswith("HX"):
            errors["content_sid"] = "A Content SID starts with HX."
        allowed = TEMPLATE_FIELDS.get(self.purpose, ())
        if not isinstance(self.variables, dict) or not all(
            isinstance(k, str) and k.isdigit() and v in allowed for k, v in self.variables.items()
        ):
            errors["variables"] = f"Map variable numbers to one of: {', '.join(allowed)}."
        if errors:
            raise ValidationError(errors)

    def content_variables(self, values: dict) -> dict:
        return {number: str(values.get(field, ""))[:1000] for number, field in self.variables.items()}


class WhatsAppContact(HashedFieldsMixin, models.Model):
    """When a phone last wrote to a tenant's number: free-form messages only within 24 hours of it."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    phone = EncryptedTextField(max_length=32, kind="phone", hash_field="phone_hash")
    phone_hash = KeyedHashField(of="phone")
    last_inbound_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "phone_hash"], name="one_whatsapp_contact_per_phone")]


class WhatsAppReceipt(models.Model):
    """An inbound message handled outside the pipeline (a code, a decision, "brief", an unknown sender), once per
    MessageSid."""

    class Kind(models.TextChoices):
        UNKNOWN_SENDER = "unknown_sender", "Unknown or unverified sender"
        VERIFICATION = "verification", "Verification code"
        DECISION = "decision", "Approval decision"
        BRIEF = "brief", "Daily brief asked for"

    message_sid = models.CharField(max_length=64, primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)


class SendStatus(models.TextChoices):
    """Twilio's message statuses, collapsed to what Walker tracks; RANK orders them so none moves backwards."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"


RANK = {SendStatus.QUEUED: 0, SendStatus.SENT: 1, SendStatus.FAILED: 2, SendStatus.DELIVERED: 2, SendStatus.READ: 3}


class WhatsAppSend(models.Model):
    """One message Twilio accepted (a long reply is several), with its delivery status from the callbacks."""

    sid = models.CharField(max_length=64, primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="whatsapp_sends"
    )
    notification = models.ForeignKey(
        "hitl.HITLNotification", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    part = models.PositiveSmallIntegerField(default=1)
    to = EncryptedTextField(max_length=32, kind="phone")
    template_sid = models.CharField(max_length=34, blank=True)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED)
    error_code = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "WhatsApp send"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "part"], condition=models.Q(message__isnull=False), name="one_send_per_message_part"
            )
        ]
