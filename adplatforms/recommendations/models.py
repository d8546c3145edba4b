"""A platform's recommendation for a synced campaign, kept once per (connection, the platform's resource name)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from agents.action_specs.recommendations import Kind as SpecKind
from agents.models import Campaign
from tenants.scoping import TenantScopedQuerySet


class Kind(models.TextChoices):
    CAMPAIGN_BUDGET = SpecKind.CAMPAIGN_BUDGET, _("campaign budget")
    KEYWORD = SpecKind.KEYWORD, _("keyword")
    TARGET_CPA = SpecKind.TARGET_CPA, _("target CPA bidding")
    TARGET_ROAS = SpecKind.TARGET_ROAS, _("target ROAS bidding")


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting for a decision")
    APPLIED = "applied", _("Applied")
    DISMISSED = "dismissed", _("Dismissed")  # rejected in Walker, dismissed on the platform
    GONE = "gone", _("No longer offered")  # the platform stopped listing it before anyone decided
    FAILED = "failed", _("Could not be applied")
    NOT_FILED = "not_filed", _("Not proposed")  # a check refused it (a shared budget, a guardrail)
    CLOSED = "closed", _("Closed without a decision")  # its approval expired or was cancelled


ENDED = {Status.APPLIED, Status.DISMISSED, Status.GONE, Status.FAILED, Status.NOT_FILED, Status.CLOSED}


class PlatformRecommendation(models.Model):
    """Inserted once on (connection, resource name), whoever reads it first: the same recommendation listed at the
    next sync (or by two syncs at once) never files a second proposal."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    connection = models.ForeignKey(
        "adplatforms.AdConnection",
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("connection"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="platform_recommendations", verbose_name=_("campaign")
    )
    resource_name = models.CharField(max_length=300, verbose_name=_("platform's name for it"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.WAITING, db_index=True, verbose_name=_("status")
    )
    summary = models.CharField(max_length=300, blank=True, verbose_name=_("what it recommends"))
    # What was proposed: the action's data (the recommended values and the platform's impact estimate).
    details = models.JSONField(default=dict, blank=True, verbose_name=_("details"))
    approval = models.ForeignKey(
        "hitl.HITLApproval",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approval"),
    )
    outcome = models.CharField(max_length=500, blank=True, verbose_name=_("outcome"))
    first_seen_at = models.DateTimeField(verbose_name=_("first read at"))
    last_seen_at = models.DateTimeField(verbose_name=_("last read at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    # Set (committed) before the apply is sent: a later read that no longer finds the recommendation knows it may
    # have been this apply that took it, not Google's expiry.
    apply_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("apply sent at"))
    # Claimed by the one run that dismisses it on the platform (a conditional update), so two runs dismiss once.
    dismiss_claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dismissal claimed at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform recommendation")
        verbose_name_plural = _("platform recommendations")
        ordering = ["-first_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "resource_name"], name="one_row_per_recommendation"),
        ]
        indexes = [models.Index(fields=["connection", "status"])]

    def __str__(self):
        return f"{self.campaign}: {self.get_kind_display()} ({self.get_status_display()})"
