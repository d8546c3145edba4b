from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineFailure(models.Model):
    """An approval the deadline sweep (hitl.services.sla) failed to handle: how often, when, and where.

    A record of its own rather than columns on the approval: it is the sweep's operational state, not part of
    the request, and deleting it (in the admin) hands the approval back to the sweep. The error is the
    exception's type and the place it was raised, never its message, which may quote personal data.
    """

    approval = models.OneToOneField(
        "hitl.HITLApproval", on_delete=models.CASCADE, related_name="deadline_failure", verbose_name=_("approval")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.CharField(max_length=300, verbose_name=_("last error"))
    last_failed_at = models.DateTimeField(verbose_name=_("last failed at"))

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = _("deadline failure")
        verbose_name_plural = _("deadline failures")

    def __str__(self):
        return f"{self.approval.reference}: {self.last_error}"
