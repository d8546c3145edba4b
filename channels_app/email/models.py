from django.db import models


class ProcessedInboundEmail(models.Model):
    """An inbound email handled outside a conversation (a command, an unknown sender), by its Message-ID.

    SendGrid retries a parse post it thinks failed; this row makes the retry change nothing
    (emails written into a conversation are deduped by the message path's own constraint).
    """

    class Kind(models.TextChoices):
        COMMAND = "command", "Command"
        UNKNOWN_SENDER = "unknown_sender", "Unknown sender"
        IGNORED = "ignored", "Ignored (automatic reply)"

    message_id = models.CharField(max_length=255, primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    tenant = models.ForeignKey("tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "channels_app"
        ordering = ["-received_at"]
