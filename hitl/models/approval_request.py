import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedQuerySet


class Answer(models.TextChoices):
    """What an approver may answer an agent outside Walker (LangChain's Agent Inbox names them so)."""

    ACCEPT = "accept", _("Accept")
    EDIT = "edit", _("Accept with edits")
    RESPOND = "respond", _("Respond with a note")
    REJECT = "reject", _("Reject")


class ApprovalRequest(models.Model):
    """What an agent outside Walker sent with its request for approval (`/api/v1/approval-requests/`).

    The approval itself is an ordinary `HITLApproval`, filed through hitl.services.requests; this row is who asked
    (the integration token, whose name is the agent's) and what only such a request carries. It is written first,
    claiming the idempotency key, and linked to its approval in the same transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    approval = models.OneToOneField(
        "hitl.HITLApproval",
        null=True,
        on_delete=models.CASCADE,
        related_name="outside_request",
        verbose_name=_("approval"),
    )
    token = models.ForeignKey(
        "tenants.IntegrationToken",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("integration token"),
    )
    agent_name = models.CharField(
        max_length=100,
        help_text=_("The token's name when it asked: the agent, as approvers see it."),
        verbose_name=_("agent"),
    )
    idempotency_key = models.CharField(max_length=200, blank=True, verbose_name=_("idempotency key"))
    args_sha256 = models.CharField(
        max_length=64, help_text=_("SHA-256 of the args as sent, in canonical JSON."), verbose_name=_("args SHA-256")
    )
    description = models.TextField(verbose_name=_("description"))
    context = models.TextField(blank=True, verbose_name=_("context"))
    allowed_decisions = models.JSONField(default=list, verbose_name=_("allowed decisions"))
    callback_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text=_("Where each decision is POSTed, signed with the tenant's action webhook secret."),
        verbose_name=_("callback URL"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            models.UniqueConstraint(
                fields=["token", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_approval_request_per_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "created_at"])]

    def __str__(self):
        return f"{self.agent_name}: {self.description[:60]}"

    def allows(self, answer: str) -> bool:
        return answer in self.allowed_decisions
