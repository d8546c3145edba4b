"""A change to a synced campaign's budget or status made outside Walker, as the platform's change history says it."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from agents.models import Campaign
from core.when import moment
from tenants.scoping import TenantScopedQuerySet


class OutsideChange(models.Model):
    """Upserted on (connection, event, campaign): a re-read of the same history writes nothing new. A Google budget
    shared by several campaigns gives one row per campaign on it."""

    class Kind(models.TextChoices):
        DAILY_BUDGET = "daily_budget", _("daily budget")
        STATUS = "status", _("status")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        "adplatforms.AdConnection",
        on_delete=models.CASCADE,
        related_name="outside_changes",
        verbose_name=_("connection"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="outside_changes", verbose_name=_("campaign")
    )
    event = models.CharField(max_length=300, verbose_name=_("platform event"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("what changed"))
    at = models.DateTimeField(db_index=True, verbose_name=_("changed at"))
    before_units = models.BigIntegerField(null=True, blank=True, verbose_name=_("before (platform units)"))
    after_units = models.BigIntegerField(null=True, blank=True, verbose_name=_("after (platform units)"))
    before = models.CharField(max_length=40, verbose_name=_("before"))  # an amount of `currency`, or a status
    after = models.CharField(max_length=40, verbose_name=_("after"))
    currency = models.CharField(max_length=3, blank=True, verbose_name=_("currency"))
    actor = models.CharField(max_length=200, blank=True, verbose_name=_("by"))
    tool = models.CharField(max_length=100, blank=True, verbose_name=_("through"))
    ad_set = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("ad set"),
        help_text=_("Meta: the campaign's ad set whose budget or status changed; empty for the campaign's own."),
    )
    detected_at = models.DateTimeField(verbose_name=_("detected at"))
    # Claimed by the one sync that checks the waiting approvals against it (a conditional update), so two syncs
    # reading the same change never both tell the approvers.
    approvals_checked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approvals checked at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("change outside Walker")
        verbose_name_plural = _("changes outside Walker")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event", "campaign"], name="one_outside_change_per_event"),
        ]
        indexes = [models.Index(fields=["campaign", "kind", "-at"])]

    def __str__(self):
        return f"{self.campaign}: {self.get_kind_display()} {self.before} -> {self.after}, {moment(self.at)}"
