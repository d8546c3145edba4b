"""Standing approvals: an approver's word that the same kind of change on the same target may go ahead again,
within bounds, for a time, a number of times (hitl.services.standing)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedQuerySet


class StandingApproval(models.Model):
    """Given on an approval its giver approved; used by later requests of the same type and target that stay inside
    its bounds. Revoked or past its end or its uses, it approves nothing more; it is never deleted (the approvals
    it approved name it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    granted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("given at"))
    given_on = models.ForeignKey(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="standing_given", verbose_name=_("given on")
    )
    action_type = models.CharField(max_length=50, verbose_name=_("action type"))
    target_key = models.CharField(max_length=200, verbose_name=_("target"))
    max_change_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("largest change (%)"),
        help_text=_("A budget may move at most this much from what it was, up or down."),
    )
    expires_at = models.DateTimeField(verbose_name=_("ends at"))
    max_uses = models.PositiveSmallIntegerField(verbose_name=_("at most, times"))
    uses = models.PositiveSmallIntegerField(default=0, verbose_name=_("used, times"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["tenant", "action_type", "target_key"], name="hitl_standing_target")]
        constraints = [
            models.CheckConstraint(condition=models.Q(uses__lte=models.F("max_uses")), name="hitl_standing_uses")
        ]
        verbose_name = _("standing approval")
        verbose_name_plural = _("standing approvals")

    def __str__(self):
        return _("%(person)s's standing approval for %(reference)s") % {
            "person": self.granted_by,
            "reference": self.given_on.reference,
        }
