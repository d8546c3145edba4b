import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedQuerySet

MAX_HOURS = 24 * 366  # a deadline further out than a year is a typo, and far ones overflow datetime arithmetic
MAX_REMINDERS = 50
_HOURS = [MinValueValidator(1), MaxValueValidator(MAX_HOURS)]


class HITLWorkflow(models.Model):
    """Who must approve which actions, in what order, and how fast.

    Its sequential levels are rows (`levels`, hitl.models.level.WorkflowLevel).
    Conditions (`auto_approve_conditions`, `auto_reject_conditions`) are lists of clauses that must all hold:
        {"field": "risk_level" | "risk_score" | "estimated_cost" | "estimated_reach" | "action_type" |
                  "agent_type" | "confidence",
         "op": "eq" | "ne" | "lt" | "lte" | "gt" | "gte" | "in" | "not_in", "value": ...}
    Anything unreadable fails closed: the approval waits for a human (see hitl.rules).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="hitl_workflows", verbose_name=_("tenant")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    is_default = models.BooleanField(
        default=False, help_text=_("Used when no other workflow of the tenant matches."), verbose_name=_("is default")
    )
    action_types = models.JSONField(
        default=list, blank=True, help_text=_("Empty: any action type."), verbose_name=_("action types")
    )
    risk_levels = models.JSONField(
        default=list, blank=True, help_text=_("Empty: any risk level."), verbose_name=_("risk levels")
    )
    min_cost_threshold = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("min cost threshold")
    )
    max_cost_threshold = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("max cost threshold")
    )
    parallel_approval = models.BooleanField(
        default=True,
        help_text=_("Notify every eligible approver of a level at once, rather than one assignee."),
        verbose_name=_("parallel approval"),
    )
    unanimous_required = models.BooleanField(
        default=False,
        help_text=_("Every eligible approver of a level must approve."),
        verbose_name=_("unanimous required"),
    )
    sla_hours = models.PositiveIntegerField(default=24, validators=_HOURS, verbose_name=_("SLA hours"))
    escalation_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=_HOURS, verbose_name=_("escalation hours")
    )
    auto_approve_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=_HOURS,
        help_text=_("Approve automatically after this long (never for critical risk)."),
        verbose_name=_("auto approve hours"),
    )
    expire_hours = models.PositiveIntegerField(
        default=72,
        validators=_HOURS,
        help_text=_("Without auto-approval, expire after this long."),
        verbose_name=_("expire hours"),
    )
    notification_channels = models.JSONField(
        default=list,
        blank=True,
        help_text=_("email, in_app, slack, whatsapp."),
        verbose_name=_("notification channels"),
    )
    slack_channel = models.CharField(
        max_length=32,
        blank=True,
        help_text=_(
            "Slack channel id (C0123ABCD) its requests are posted to, with buttons; empty: the workspace's default "
            "channel (docs/slack.md)."
        ),
        verbose_name=_("Slack channel"),
    )
    slack_responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text=_("Only these people may decide its requests from Slack; none chosen: anyone who may decide."),
        verbose_name=_("Slack responders"),
    )
    reminder_frequency_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=_HOURS, verbose_name=_("reminder frequency hours")
    )
    max_reminders = models.PositiveIntegerField(
        default=3, validators=[MaxValueValidator(MAX_REMINDERS)], verbose_name=_("max reminders")
    )
    auto_approve_conditions = models.JSONField(default=list, blank=True, verbose_name=_("auto approve conditions"))
    auto_reject_conditions = models.JSONField(default=list, blank=True, verbose_name=_("auto reject conditions"))
    custom_rules = models.JSONField(default=dict, blank=True, verbose_name=_("custom rules"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_default=True, is_active=True),
                name="one_active_default_workflow",
            )
        ]

    def __str__(self):
        return self.name


class RiskPolicy(models.Model):
    """A tenant's risk settings; without one, hitl.risk's defaults apply."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="risk_policy", verbose_name=_("tenant")
    )
    action_base_risk = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Points 0-25 per action type, e.g. {"set_budget": 20}.'),
        verbose_name=_("action base risk"),
    )
    medium_threshold = models.PositiveSmallIntegerField(default=30, verbose_name=_("medium threshold"))
    high_threshold = models.PositiveSmallIntegerField(default=55, verbose_name=_("high threshold"))
    critical_threshold = models.PositiveSmallIntegerField(default=80, verbose_name=_("critical threshold"))
    large_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("10000"),
        help_text=_("A cost this big is maximal in absolute terms."),
        verbose_name=_("large cost"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(medium_threshold__lt=models.F("high_threshold"))
                & models.Q(high_threshold__lt=models.F("critical_threshold"))
                & models.Q(critical_threshold__lte=100),
                name="risk_thresholds_ordered",
                violation_error_message="Thresholds must rise: medium < high < critical ≤ 100.",
            )
        ]

    def __str__(self):
        return f"Risk policy of {self.tenant}"
