from django.conf import settings
from django.db import models

from tenants.scoping import TenantScopedQuerySet


class DailyBrief(models.Model):
    """One user's brief for one local day: the row is claimed before the email is sent, so a day has one brief
    however many beat processes, workers or retries reach it (the unique constraint, not a check, decides)."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (missed by more than 6 hours)"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_briefs")
    local_date = models.DateField(help_text="The day in the user's own time zone.")
    due_at = models.DateTimeField(help_text="When the user's delivery time came that day.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(
        "analytics.EmailDeliveryLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    retry_after = models.DateTimeField(
        null=True, blank=True, help_text="A send the provider could not take (an outage) is tried again from then."
    )
    claim = models.UUIDField(
        null=True, blank=True, editable=False, help_text="The run that created the row (a batch learns its own rows)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-local_date", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "local_date"], name="one_brief_per_user_and_day")]
        indexes = [
            models.Index(fields=["local_date"]),
            models.Index(fields=["retry_after"], condition=models.Q(retry_after__isnull=False), name="brief_retry"),
        ]

    def __str__(self):
        return f"Brief for {self.user} on {self.local_date}"
