"""A tenant's performance rule and the record of each time it fired for a campaign (the cool-down reads it)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agents.models import Campaign
from core.when import moment
from tenants.scoping import TenantScopedQuerySet

LARGEST_THRESHOLD = Decimal("9999999999.9999")


class Metric(models.TextChoices):
    SPEND = "spend", _("Spend")
    CPA = "cpa", _("Cost per conversion (CPA)")
    ROAS = "roas", _("Return on ad spend (ROAS)")
    CTR = "ctr", _("Click-through rate (CTR, %)")
    CONVERSIONS = "conversions", _("Conversions")
    PACING = "pacing", _("Budget pacing (% of the daily budget spent)")


MONEY_METRICS = frozenset({Metric.SPEND, Metric.CPA})


class Scope(models.TextChoices):
    CAMPAIGN = "campaign", _("One campaign")
    PLATFORM = "platform", _("A platform's campaigns")
    ALL = "all", _("All campaigns")


class Comparison(models.TextChoices):
    ABOVE = "gt", _("above")
    AT_LEAST = "gte", _("at least")
    BELOW = "lt", _("below")
    AT_MOST = "lte", _("at most")


class Schedule(models.TextChoices):
    HOURLY = "hourly", _("Every hour")
    DAILY = "daily", _("Daily at a time (the tenant's time zone)")


class RuleAction(models.TextChoices):
    PAUSE = "pause", _("Propose a pause")
    RESUME = "resume", _("Propose a resume")
    SET_BUDGET = "set_budget", _("Propose a daily budget of a value")
    CHANGE_BUDGET = "change_budget", _("Propose a daily budget change by a percentage")
    NOTIFY = "notify", _("Notify only")


class PerformanceRule(models.Model):
    """When a metric of a campaign over the last `window_days` whole days compares with `threshold`, propose
    `action` for it (or notify). Money (a spend or CPA threshold, the minimum spend, a budget value) is in
    `currency`, the accounts' currency: only campaigns counted in it are evaluated."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    metric = models.CharField(max_length=12, choices=Metric.choices, verbose_name=_("metric"))
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL, verbose_name=_("scope"))
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    platform = models.CharField(
        max_length=10, blank=True, choices=Campaign.Platform.choices, verbose_name=_("platform")
    )
    window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(30)], verbose_name=_("days looked at")
    )
    comparison = models.CharField(max_length=3, choices=Comparison.choices, verbose_name=_("comparison"))
    threshold = models.DecimalField(max_digits=14, decimal_places=4, verbose_name=_("threshold"))
    currency = models.CharField(
        max_length=3,
        blank=True,
        verbose_name=_("currency"),
        help_text=_("The accounts' currency that money in this rule is counted in; only its campaigns are looked at."),
    )
    min_spend = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        verbose_name=_("minimum spend"),
        help_text=_("A campaign that spent less over the days looked at is left alone."),
    )
    schedule = models.CharField(
        max_length=6, choices=Schedule.choices, default=Schedule.DAILY, verbose_name=_("schedule")
    )
    run_at = models.TimeField(null=True, blank=True, verbose_name=_("daily at"))
    action = models.CharField(max_length=14, choices=RuleAction.choices, verbose_name=_("action"))
    action_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("budget value or percentage"),
        help_text=_("A daily budget (in the currency) or a change in percent, e.g. -20 or 15."),
    )
    cooldown_hours = models.PositiveIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        verbose_name=_("cool-down (hours)"),
        help_text=_("After firing for a campaign, the rule leaves that campaign alone this long."),
    )
    max_per_run = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        verbose_name=_("most proposals per run"),
    )
    enabled = models.BooleanField(default=True, verbose_name=_("enabled"))
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("next run at"))
    last_run_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last run at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("performance rule")
        verbose_name_plural = _("performance rules")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="performance_rule_name_per_tenant")]

    def __str__(self):
        return self.name

    @property
    def uses_money(self) -> bool:
        return self.metric in MONEY_METRICS or bool(self.min_spend) or self.action == RuleAction.SET_BUDGET

    def clean(self):
        from adplatforms.rules.validation import problems  # it reads adplatforms.models, which imports this module

        errors = problems(self)
        if errors:
            raise ValidationError(errors)


class RuleFiring(models.Model):
    """One time a rule fired for a campaign in a run, and what became of it; the cool-down counts the firings
    that filed a proposal or notified."""

    class Outcome(models.TextChoices):
        FILED = "filed", _("Proposal filed")
        NOTIFIED = "notified", _("Admins notified")
        ALREADY_WAITING = "waiting", _("The same proposal already waits")
        REFUSED = "refused", _("Refused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("ID"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    rule = models.ForeignKey(PerformanceRule, on_delete=models.CASCADE, related_name="firings", verbose_name=_("rule"))
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign"))
    fired_at = models.DateTimeField(verbose_name=_("fired at"))
    last_day = models.DateField(verbose_name=_("figures through"))
    figures = models.CharField(max_length=300, verbose_name=_("figures"))
    outcome = models.CharField(max_length=8, choices=Outcome.choices, verbose_name=_("outcome"))
    detail = models.CharField(max_length=300, blank=True, verbose_name=_("detail"))
    approval_id = models.UUIDField(null=True, blank=True, verbose_name=_("approval id"))

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        ordering = ["-fired_at"]
        indexes = [models.Index(fields=["rule", "campaign", "-fired_at"])]

    def __str__(self):
        return f"{self.rule}: {self.campaign}, {moment(self.fired_at)}"
