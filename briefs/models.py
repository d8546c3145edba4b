from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.when import day
from tenants.scoping import TenantScopedQuerySet


class DailyBrief(models.Model):
    """One user's brief for one local day: the row is claimed before the email is sent, so a day has one brief
    however many beat processes, workers or retries reach it (the unique constraint, not a check, decides)."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped (missed by more than 6 hours)")
        FAILED = "failed", _("Failed")

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_briefs", verbose_name=_("user")
    )
    local_date = models.DateField(help_text=_("The day in the user's own time zone."), verbose_name=_("local date"))
    due_at = models.DateTimeField(help_text=_("When the user's delivery time came that day."), verbose_name=_("due at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING, verbose_name=_("status"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    email = models.ForeignKey(
        "analytics.EmailDeliveryLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("email"),
    )
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    attempts = models.PositiveSmallIntegerField(default=1, verbose_name=_("attempts"))
    retry_after = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("A send the provider could not take (an outage) is tried again from then."),
        verbose_name=_("retry after"),
    )
    claim = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The run that created the row (a batch learns its own rows)."),
        verbose_name=_("claim"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily brief")
        verbose_name_plural = _("daily briefs")
        ordering = ["-local_date", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "local_date"], name="one_brief_per_user_and_day")]
        indexes = [
            models.Index(fields=["local_date"]),
            models.Index(fields=["retry_after"], condition=models.Q(retry_after__isnull=False), name="brief_retry"),
        ]

    def __str__(self):
        return _("Brief for %(person)s on %(date)s") % {"person": self.user, "date": day(self.local_date)}
