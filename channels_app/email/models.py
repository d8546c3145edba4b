from django.db import models


class ProcessedInboundEmail(models.Model):
    """An inbound email handled outside a conversation (a command, an unknown sender), by its Message-ID.

    SendGrid retries a parse post it thinks failed; this row makes the retry change nothing
    (emails written into a conversation are deduped by the message path's own constraint).
    """

    class Kind(models.TextChoices):
        COMMAND = "command", "Command"
        UNKNOWN_SENDER = "unknown_sender", "Unknown sender"
        UNVERIFIED = "unverified", "Known address, sender not proven (no aligned SPF or DKIM pass)"
        IGNORED = "ignored", "Ignored (automatic reply)"

    message_id = models.CharField(max_length=255, primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    tenant = models.ForeignKey("tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "channels_app"
        ordering = ["-received_at"]


class AnsweredSender(models.Model):
    """An address Walker answered automatically on a (UTC) day, by its keyed hash: one such answer a day at most,
    however many emails arrive, even at once (channels_app.email.answers)."""

    address_hash = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        app_label = "channels_app"
        constraints = [models.UniqueConstraint(fields=["address_hash", "day"], name="one_auto_answer_a_day")]
