import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedQuerySet


class DecisionCallback(models.Model):
    """One decision on an outside agent's request, to be POSTed to the `callback_url` it gave (hitl.callbacks).

    One row per decision (the history entry that recorded it, by id): its id is the callback's Idempotency-Key, so a
    retried delivery is recognisable and a decision is never queued twice. Nothing of the decision is stored here:
    the body is made from the approval when it is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    request = models.ForeignKey(
        "hitl.ApprovalRequest", on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("approval request")
    )
    # The history entry of the decision, by id only: the append-only history keeps no row pointing into it.
    decision_id = models.UUIDField(unique=True, verbose_name=_("decision ID"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    answered = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The HTTP status of the last answer."), verbose_name=_("answered")
    )
    last_error = models.CharField(max_length=300, blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    # When the next attempt should happen: a waiting row long past it lost its task (hitl.callbacks.requeue_lost).
    due_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt due"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision callback")
        verbose_name_plural = _("decision callbacks")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(status="pending"), name="hitl_callback_waiting_due"),
        ]

    def __str__(self):
        return f"{self.decision_id}: {self.status}"
