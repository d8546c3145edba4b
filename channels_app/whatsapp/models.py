"""WhatsApp configuration per tenant, and the records that make the channel idempotent and trackable."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.when import moment
from tenants.fields import EncryptedTextField, HashedFieldsMixin, KeyedHashField
from tenants.phones import normalize_phone
from tenants.pii import mask
from tenants.scoping import TenantScopedQuerySet


class WhatsAppSender(models.Model):
    """The tenant's WhatsApp number: inbound messages written to it belong to the tenant, replies come from it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="whatsapp_sender", verbose_name=_("tenant")
    )
    number = models.CharField(
        max_length=32,
        unique=True,
        help_text=_("The WhatsApp-enabled Twilio number, with its country code."),
        verbose_name=_("number"),
    )
    messaging_service_sid = models.CharField(
        max_length=34,
        blank=True,
        help_text=_("Optional Twilio Messaging Service (MG…) to send through instead."),
        verbose_name=_("messaging service SID"),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("WhatsApp number")
        verbose_name_plural = _("WhatsApp numbers")

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        self.number = normalize_phone(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.number = normalize_phone(self.number)
        if self.messaging_service_sid and not self.messaging_service_sid.startswith("MG"):
            raise ValidationError({"messaging_service_sid": "A Messaging Service SID starts with MG."})


class TemplatePurpose(models.TextChoices):
    VERIFICATION = "verification", _("Verification code")
    NOTIFICATION = "notification", _("Approval notification")
    OUTCOME = "outcome", _("Approval outcome")


# What each purpose can fill a template's variables with.
TEMPLATE_FIELDS = {
    TemplatePurpose.VERIFICATION: ("code",),
    TemplatePurpose.NOTIFICATION: ("reference", "subject", "summary"),
    TemplatePurpose.OUTCOME: ("reference", "status", "summary", "text"),
}


class WhatsAppTemplate(models.Model):
    """An approved WhatsApp template (Twilio Content SID), used outside the 24-hour customer-care window."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="whatsapp_templates", verbose_name=_("tenant")
    )
    purpose = models.CharField(max_length=20, choices=TemplatePurpose.choices, verbose_name=_("purpose"))
    content_sid = models.CharField(
        max_length=34, help_text=_("The approved template's Content SID (HX…)."), verbose_name=_("content SID")
    )
    variables = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            'Template variable number to field, e.g. {"1": "reference", "2": "summary"}. '
            "Fields: code (verification); reference, subject, summary (notification); "
            "reference, status, summary, text (outcome)."
        ),
        verbose_name=_("variables"),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")
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

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    phone = EncryptedTextField(max_length=32, kind="phone", hash_field="phone_hash", verbose_name=_("phone"))
    phone_hash = KeyedHashField(of="phone", verbose_name=_("phone hash"))
    last_inbound_at = models.DateTimeField(verbose_name=_("last inbound at"))

    class Meta:
        verbose_name = _("WhatsApp contact")
        verbose_name_plural = _("WhatsApp contacts")
        constraints = [models.UniqueConstraint(fields=["tenant", "phone_hash"], name="one_whatsapp_contact_per_phone")]

    def __str__(self):
        return f"{mask(self.phone)}, {moment(self.last_inbound_at)}"


class WhatsAppReceipt(models.Model):
    """An inbound message handled outside the pipeline (a code, a decision, "brief", an unknown sender), once per
    MessageSid."""

    class Kind(models.TextChoices):
        UNKNOWN_SENDER = "unknown_sender", _("Unknown or unverified sender")
        VERIFICATION = "verification", _("Verification code")
        DECISION = "decision", _("Approval decision")
        BRIEF = "brief", _("Daily brief asked for")
        RATING = "rating", _("Satisfaction rating")

    message_sid = models.CharField(max_length=64, primary_key=True, verbose_name=_("message SID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    outcome = models.CharField(max_length=300, blank=True, verbose_name=_("outcome"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("WhatsApp receipt")
        verbose_name_plural = _("WhatsApp receipts")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message_sid}"


class SendStatus(models.TextChoices):
    """Twilio's message statuses, collapsed to what Walker tracks; RANK orders them so none moves backwards."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


RANK = {SendStatus.QUEUED: 0, SendStatus.SENT: 1, SendStatus.FAILED: 2, SendStatus.DELIVERED: 2, SendStatus.READ: 3}


class WhatsAppSend(models.Model):
    """One message Twilio accepted (a long reply is several), with its delivery status from the callbacks."""

    sid = models.CharField(max_length=64, primary_key=True, verbose_name=_("SID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="whatsapp_sends",
        verbose_name=_("message"),
    )
    notification = models.ForeignKey(
        "hitl.HITLNotification",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("notification"),
    )
    part = models.PositiveSmallIntegerField(default=1, verbose_name=_("part"))
    to = EncryptedTextField(max_length=32, kind="phone", verbose_name=_("to"))
    template_sid = models.CharField(max_length=34, blank=True, verbose_name=_("template SID"))
    status = models.CharField(
        max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED, verbose_name=_("status")
    )
    error_code = models.CharField(max_length=10, blank=True, verbose_name=_("error code"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("WhatsApp send")
        verbose_name_plural = _("WhatsApp sends")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "part"], condition=models.Q(message__isnull=False), name="one_send_per_message_part"
            )
        ]

    def __str__(self):
        return f"{self.sid}: {self.get_status_display()}"
