"""Which campaigns a rule fires for, judged on the whole days through `last_day` in the tenant's time zone: each
campaign's own figures summed in its own currency (amounts are never added across currencies: a rule whose money
is in one currency looks only at the campaigns counted in it). The one place the real run and the dry run read."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from adplatforms import money
from adplatforms.rules.models import Comparison, Metric, PerformanceRule, RuleAction, Scope
from agents.models import Campaign, CampaignDailyStat
from agents.performance import SUMS, Totals, totals_of

# What a metric is compared at: the precision it is shown with, so "CPA $60.00, above $60.00" never reads as a firing.
SHOWN_AS = {Metric.ROAS: Decimal("0.01"), Metric.CTR: Decimal("0.01"), Metric.PACING: Decimal("0.1")}
COMPARE = {
    Comparison.ABOVE: lambda value, threshold: value > threshold,
    Comparison.AT_LEAST: lambda value, threshold: value >= threshold,
    Comparison.BELOW: lambda value, threshold: value < threshold,
    Comparison.AT_MOST: lambda value, threshold: value <= threshold,
}
# Only a campaign the action can change is looked at: a pause for a running one, a resume for a paused one.
STATUS_FOR = {
    RuleAction.PAUSE: Campaign.Status.ACTIVE,
    RuleAction.RESUME: Campaign.Status.PAUSED,
    RuleAction.SET_BUDGET: Campaign.Status.ACTIVE,
    RuleAction.CHANGE_BUDGET: Campaign.Status.ACTIVE,
}


@dataclass(frozen=True)
class Hit:
    """The rule fires for `campaign` on the days `first`..`last`: its totals and the metric's value."""

    campaign: Campaign
    first: date
    last: date
    totals: Totals
    value: Decimal


def last_complete_day(tenant, now: datetime | None = None) -> date:
    """Yesterday in the tenant's time zone: the last whole day a sync can have read."""
    return timezone.localdate(now or timezone.now(), timezone=ZoneInfo(tenant.timezone)) - timedelta(days=1)


def campaigns_in_scope(rule: PerformanceRule):
    campaigns = Campaign.objects.filter(tenant_id=rule.tenant_id)
    if rule.scope == Scope.CAMPAIGN:
        campaigns = campaigns.filter(pk=rule.campaign_id)
    elif rule.scope == Scope.PLATFORM:
        campaigns = campaigns.filter(platform=rule.platform)
    if rule.currency:
        campaigns = campaigns.filter(Q(currency__iexact=rule.currency))
    if rule.action in STATUS_FOR:
        campaigns = campaigns.filter(status=STATUS_FOR[rule.action])
    return campaigns.order_by("name", "pk")


def metric_value(metric: str, totals: Totals, campaign: Campaign, days: int) -> Decimal | None:
    """The metric over the window, in the campaign's currency where it is money; None when it cannot be told (a CPA
    without conversions, a ROAS without spend, a CTR without impressions, pacing without a budget)."""
    if metric == Metric.SPEND:
        return money.rounded(totals.spend, campaign.currency)
    if metric == Metric.CPA:
        return None if totals.cpa is None else money.rounded(totals.cpa, campaign.currency)
    if metric == Metric.CONVERSIONS:
        return Decimal(totals.conversions)
    raw = {
        Metric.ROAS: totals.roas,
        Metric.CTR: totals.ctr,
        Metric.PACING: totals.spend / (campaign.daily_budget * days) * 100 if campaign.daily_budget else None,
    }[metric]
    return None if raw is None else raw.quantize(SHOWN_AS[metric])


def evaluate(rule: PerformanceRule, last_day: date) -> list[Hit]:
    """The campaigns in the rule's scope whose figures over the `window_days` ending `last_day` fire it, in name
    order: one query for the campaigns, one for their sums."""
    first = last_day - timedelta(days=rule.window_days - 1)
    campaigns = list(campaigns_in_scope(rule))
    if not campaigns:
        return []
    rows = (
        CampaignDailyStat.objects.filter(
            tenant_id=rule.tenant_id, campaign__in=campaigns, date__range=(first, last_day)
        )
        .values("campaign")
        .annotate(**SUMS)
        .order_by()
    )
    sums = {row["campaign"]: totals_of(row) for row in rows}
    hits = []
    for campaign in campaigns:
        totals = sums.get(campaign.pk, Totals())
        if totals.spend < rule.min_spend:
            continue
        value = metric_value(rule.metric, totals, campaign, rule.window_days)
        if value is not None and COMPARE[rule.comparison](value, rule.threshold):
            hits.append(Hit(campaign, first, last_day, totals, value))
    return hits
