import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Upper
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from agents.actions import ActionType
from agents.models import AgentType
from agents.tenant_actions.registry import spec_for
from core import currencies
from hitl.summaries import summary_in
from tenants.fields import EncryptedTextField
from tenants.scoping import TenantScopedQuerySet


class ApprovalQuerySet(TenantScopedQuerySet):
    def waiting_for(self, user) -> models.Q:
        """ "Assigned to me": the assignee of a sequential level, or among those who may decide now.

        A subquery on the assignees table's user index, not a join: no duplicate rows, no DISTINCT.
        """
        deciding = HITLApproval.assignees.through.objects.filter(user_id=user.pk).values("hitlapproval_id")
        return models.Q(assigned_to_id=user.pk) | models.Q(pk__in=deciding)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    EXECUTING = "executing", _("Executing")
    EXECUTED = "executed", _("Executed")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    SUPERSEDED = "superseded", _("Superseded")  # a newer request replaced it (conflicts, or the agent's revision)
    REVISING = "revising", _("Revision asked")  # an approver asked the agent for another proposal (responses)


DECIDED = {
    ApprovalStatus.REJECTED,
    ApprovalStatus.EXPIRED,
    ApprovalStatus.CANCELLED,
    ApprovalStatus.EXECUTED,
    ApprovalStatus.SUPERSEDED,
}


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Automation(models.TextChoices):
    """What of the tenant's own automation asked, with no person behind it (the app above hitl that files it says)."""

    RULE = "rule", _("performance rule")
    RECOMMENDATION = "recommendation", _("platform recommendations")


class ExecutionStatus(models.TextChoices):
    NOT_STARTED = "", _("Not started")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    RETRYING = "retrying", _("Waiting to retry")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


# `HITLApproval.currency` in the database, for figures added up per currency (reports.approval_stats): the same rule
# as core.currencies.of_action.
APPROVAL_CURRENCY = models.Case(
    models.When(action_data__currency__regex=r"^[A-Za-z]{3}$", then=Upper(KeyTextTransform("currency", "action_data"))),
    default=models.Value("USD"),
    output_field=models.CharField(),
)


class HITLApproval(FSMModelMixin, models.Model):
    """An action an agent proposed, waiting for (or past) a human decision.

    `status` changes only through hitl.services, which lock the row, check the
    transition (django-fsm) and write a history row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="approvals", verbose_name=_("tenant")
    )
    reference = models.CharField(
        max_length=12,
        help_text=_("Short reference for emails and WhatsApp, e.g. BR-123456."),
        verbose_name=_("reference"),
    )

    # What is asked
    agent = models.ForeignKey(
        "agents.AIAgent", null=True, on_delete=models.SET_NULL, related_name="approvals", verbose_name=_("agent")
    )
    agent_type = models.CharField(max_length=20, choices=AgentType.choices, verbose_name=_("agent type"))
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals",
        verbose_name=_("conversation"),
    )
    source_message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals",
        verbose_name=_("source message"),
    )
    action_type = models.CharField(max_length=40, choices=ActionType.choices, verbose_name=_("action type"))
    action_data = models.JSONField(default=dict, verbose_name=_("action data"))
    action_summary = models.CharField(max_length=300, verbose_name=_("action summary"))
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language the request was made in: its summary is stored in it, and its requester is told of its "
            "outcome in it. Other readers see the summary in their own language."
        ),
        verbose_name=_("language"),
    )
    target_key = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("What the action changes (hitl.duplicates)."),
        verbose_name=_("target key"),
    )
    proposal_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Digest of what was proposed: one pending per value."),
        verbose_name=_("proposal key"),
    )
    related_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conflicting",
        help_text=_(
            "The request for the same target that waited when this one was filed, and that this one superseded."
        ),
        verbose_name=_("related to"),
    )
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        help_text=_("The request an approver answered with a note: the agent proposed this one instead of it."),
        verbose_name=_("revision of"),
    )
    estimated_cost = models.DecimalField(max_digits=14, decimal_places=2, default=0, verbose_name=_("estimated cost"))
    estimated_reach = models.PositiveIntegerField(default=0, verbose_name=_("estimated reach"))
    confidence = models.FloatField(default=0.5, verbose_name=_("confidence"))

    # Risk
    risk_level = models.CharField(
        max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM, verbose_name=_("risk level")
    )
    filed_risk_level = models.CharField(
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
        help_text=_("The risk as the request was filed (empty: as its risk level); an edit never lowers its step-up."),
        verbose_name=_("risk as filed"),
    )
    risk_score = models.FloatField(default=0, verbose_name=_("risk score"))
    risk_factors = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Each factor's contribution to the score."),
        verbose_name=_("risk factors"),
    )

    # Workflow and progress
    workflow = models.ForeignKey(
        "hitl.HITLWorkflow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals",
        verbose_name=_("workflow"),
    )
    workflow_snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("The workflow's rules when requested."),
        verbose_name=_("workflow snapshot"),
    )
    approval_level = models.PositiveSmallIntegerField(default=1, verbose_name=_("approval level"))
    total_levels = models.PositiveSmallIntegerField(default=1, verbose_name=_("total levels"))
    required_approvals = models.PositiveSmallIntegerField(default=1, verbose_name=_("required approvals"))
    received_approvals = models.PositiveSmallIntegerField(default=0, verbose_name=_("received approvals"))
    status = FSMField(
        default=ApprovalStatus.PENDING,
        choices=ApprovalStatus.choices,
        protected=True,
        db_index=True,
        verbose_name=_("status"),
    )
    priority = models.PositiveSmallIntegerField(
        default=3, help_text=_("1 is the most urgent."), verbose_name=_("priority")
    )
    decided_automatically = models.BooleanField(default=False, verbose_name=_("decided automatically"))

    # People and times. What people type (notes, reasons) may name anyone: it is encrypted at rest.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="requested_approvals",
        verbose_name=_("requested by"),
    )
    # An automation of the tenant's that asked with no person behind it: its name when it asked (a performance rule's,
    # or the platform's recommendations': adplatforms), and which kind it is, so it is named as what it is.
    requested_by_rule = models.CharField(max_length=200, blank=True, verbose_name=_("requested by the rule"))
    requested_by_automation = models.CharField(
        max_length=20, choices=Automation.choices, blank=True, verbose_name=_("requested by automation")
    )
    approved_under = models.ForeignKey(
        "hitl.StandingApproval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved",
        verbose_name=_("approved under"),
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_approvals",
        verbose_name=_("assigned to"),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="approvals_to_decide",
        help_text=_("Who may decide at the current level (kept in step by hitl.services.levels)."),
        verbose_name=_("assignees"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    approval_notes = EncryptedTextField(blank=True, verbose_name=_("approval notes"))
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rejected at"))
    rejection_reason = EncryptedTextField(blank=True, verbose_name=_("rejection reason"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    # SLA: deadline columns scanned by hitl.tasks.process_deadlines
    sla_deadline = models.DateTimeField(null=True, blank=True, verbose_name=_("SLA deadline"))
    sla_breached = models.BooleanField(default=False, verbose_name=_("SLA breached"))
    sla_breach_duration_minutes = models.PositiveIntegerField(default=0, verbose_name=_("SLA breach (minutes)"))
    next_reminder_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next reminder at"))
    escalation_due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escalation due at"))
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Auto-approval or expiry, whichever applies."), verbose_name=_("expires at")
    )
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("escalated at"))
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    escalation_reason = EncryptedTextField(blank=True, verbose_name=_("escalation reason"))
    reminder_count = models.PositiveSmallIntegerField(default=0, verbose_name=_("reminder count"))
    last_reminder_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last reminder at"))

    # Execution
    executed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("executed at"))
    execution_status = models.CharField(
        max_length=10,
        choices=ExecutionStatus.choices,
        default=ExecutionStatus.NOT_STARTED,
        blank=True,
        verbose_name=_("execution status"),
    )
    execution_result = models.JSONField(default=dict, blank=True, verbose_name=_("execution result"))
    execution_error = models.TextField(blank=True, verbose_name=_("execution error"))
    execution_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("execution attempts"))
    execution_started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("execution started at")
    )  # when the latest attempt was claimed
    # When a task was last sent for it (approval, retry, requeue): the recovery sweep measures its grace from here.
    execution_queued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("execution queued at"))

    # Record
    compliance_flags = models.JSONField(default=list, blank=True, verbose_name=_("compliance flags"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["sla_deadline", "priority"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        permissions = [("decide_hitlapproval", "Can approve, reject and escalate approvals")]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="approval_reference_unique"),
            models.UniqueConstraint(
                fields=["tenant", "proposal_key"],
                condition=models.Q(status="pending") & ~models.Q(proposal_key=""),
                name="one_pending_approval_per_proposal",
            ),
            models.UniqueConstraint(  # a newer request supersedes the waiting one (hitl.services.conflicts)
                fields=["tenant", "target_key"],
                condition=models.Q(status="pending") & ~models.Q(target_key=""),
                name="one_pending_approval_per_target",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "sla_deadline", "priority"]),  # the queue, by status
            models.Index(fields=["tenant", "sla_deadline", "priority"]),  # the whole queue in its default order
            models.Index(fields=["status", "sla_deadline"]),  # deadline scans
            models.Index(fields=["status", "next_reminder_at"]),
            models.Index(fields=["status", "escalation_due_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["requested_by", "requested_at"]),  # requester history for risk
            models.Index(fields=["tenant", "requested_at"]),  # analytics by period
            models.Index(fields=["tenant", "resolved_at"]),  # the dashboard's decisions of today and of the week
            models.Index(fields=["tenant", "target_key", "status"]),  # conflicting proposals
        ]

    def __str__(self):
        return f"{self.reference}: {self.summary}"

    @property
    def outside(self):
        """The request an agent outside Walker sent (hitl.models.ApprovalRequest), or None. Not looked up for an
        approval one of Walker's own agents proposed, which has none: the message path pays no statement for it."""
        if self.agent_id is not None:
            return None
        return getattr(self, "outside_request", None)

    @cached_property
    def action_spec(self):
        """Its type's spec, Walker's own or one the tenant registered: the one registry lookup, once per instance
        (a tenant's type is a query). None for a type that no longer exists."""
        return spec_for(self.action_type, self.tenant)

    @property
    def summary(self) -> str:
        """What the action does, in the active language (hitl.summaries); `action_summary` is the stored text."""
        return summary_in(self)

    @property
    def currency(self) -> str:
        """The currency of the approval's money (its estimated cost, its budgets): core.currencies.of_action."""
        return currencies.of_action(self.action_data)

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING

    # Transitions: only the status moves here; hitl.services does the rest.
    @transition(field=status, source=ApprovalStatus.PENDING, target=ApprovalStatus.APPROVED)
    def mark_approved(self):
        pass

    @transition(field=status, source=ApprovalStatus.PENDING, target=ApprovalStatus.REJECTED)
    def mark_rejected(self):
        pass

    @transition(field=status, source=ApprovalStatus.PENDING, target=ApprovalStatus.EXPIRED)
    def mark_expired(self):
        pass

    @transition(field=status, source=ApprovalStatus.PENDING, target=ApprovalStatus.CANCELLED)
    def mark_cancelled(self):
        pass

    @transition(
        field=status,
        source=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.FAILED, ApprovalStatus.REVISING],
        target=ApprovalStatus.SUPERSEDED,
    )
    def mark_superseded(self):
        """Waiting, approved but not run (queued, or failed), or being revised: a newer request replaced it."""

    @transition(field=status, source=ApprovalStatus.PENDING, target=ApprovalStatus.REVISING)
    def mark_revising(self):
        """An approver answered with a note to the agent instead of deciding: nobody decides it meanwhile."""

    @transition(field=status, source=ApprovalStatus.REVISING, target=ApprovalStatus.PENDING)
    def mark_unrevised(self):
        """The agent proposed nothing else: the request waits for a decision again."""

    @transition(field=status, source=ApprovalStatus.APPROVED, target=ApprovalStatus.EXECUTING)
    def mark_executing(self):
        pass

    @transition(field=status, source=ApprovalStatus.EXECUTING, target=ApprovalStatus.EXECUTED)
    def mark_executed(self):
        pass

    @transition(field=status, source=ApprovalStatus.EXECUTING, target=ApprovalStatus.FAILED)
    def mark_failed(self):
        pass

    @transition(field=status, source=ApprovalStatus.FAILED, target=ApprovalStatus.APPROVED)
    def mark_retry(self):
        pass
