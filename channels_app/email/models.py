from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import moment


class ProcessedInboundEmail(models.Model):
    """An inbound email handled outside a conversation (a command, an unknown sender), by its Message-ID.

    SendGrid retries a parse post it thinks failed; this row makes the retry change nothing
    (emails written into a conversation are deduped by the message path's own constraint).
    """

    class Kind(models.TextChoices):
        COMMAND = "command", _("Command")
        UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
        UNVERIFIED = "unverified", _("Known address, sender not proven (no aligned SPF or DKIM pass)")
        IGNORED = "ignored", _("Ignored (automatic reply)")

    message_id = models.CharField(max_length=255, primary_key=True, verbose_name=_("message ID"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))

    class Meta:
        verbose_name = _("processed inbound email")
        verbose_name_plural = _("processed inbound emails")
        app_label = "channels_app"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.get_kind_display()}, {moment(self.received_at)}"  # the Message-ID may name the sender


class AnsweredSender(models.Model):
    """An address Walker answered automatically on a (UTC) day, by its keyed hash: one such answer a day at most,
    however many emails arrive, even at once (channels_app.email.answers)."""

    address_hash = models.CharField(max_length=64, verbose_name=_("address hash"))
    day = models.DateField(verbose_name=_("day"))

    class Meta:
        verbose_name = _("answered sender")
        verbose_name_plural = _("answered senders")
        app_label = "channels_app"
        constraints = [models.UniqueConstraint(fields=["address_hash", "day"], name="one_auto_answer_a_day")]

    def __str__(self):
        return f"{self.address_hash[:8]}, {self.day:%Y-%m-%d}"
