"""How risky a proposed action is: capped factors that add up to a score out of 100.

Each factor is kept with its points, the figures behind them (`says`, told in each reader's language by
hitl.risk_reasons) and that reason in English (`detail`), stored as the approval's `risk_factors`, so an approver can
see why an action scored as it did. Anything missing or unreadable counts towards caution.

Money scores at most 40 points, from what the action spends or what it takes away: the extra spend against recent
spend (25) and in dollars (15), or, for a pause or a cut, the campaign's results it puts at stake (hitl.stakes):
their share of the account's over the same week (25) and their value over 30 days in dollars (15). An action does
one or the other; one that does both (a pause an engine estimated a cost for: a pause has no cost rule, so the
engine's estimate stands) scores the results only in what the spend left of the 40, so the caps add up to 100.

Money is in the action's currency (a campaign's, `action_data["currency"]`; US dollars when it names none): the
cost is compared with the tenant's recent spend in that same currency, and with the policy's `large_cost`, which is
in dollars, through settings.RISK_DOLLAR_RATES (a currency without a rate scores its cost as large, saying so).
"""

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agents.action_specs import SPECS, WALKER_SPECS
from agents.action_specs.base import BASE_RISK_MAX
from agents.models import CampaignDailyStat
from agents.reading import keep, kept
from agents.tenant_actions.registry import spec_for
from core import currencies
from hitl import stakes
from hitl.models import ApprovalStatus, HITLApproval, RiskLevel, RiskPolicy
from hitl.risk_reasons import in_english, told
from hitl.stakes import STAKE_DAYS, Stake, at_stake

# Caps per factor; they add up to 100, results at stake sharing the two budget factors' (RESULTS_MAX).
BUDGET_RELATIVE_MAX = 25
BUDGET_ABSOLUTE_MAX = 15
REACH_MAX = 15
ACTION_TYPE_MAX = BASE_RISK_MAX
REQUESTER_MAX = 10
CONFIDENCE_MAX = 10
RESULTS_MAX = BUDGET_RELATIVE_MAX + BUDGET_ABSOLUTE_MAX  # shared with the two cost factors (above)
RESULTS_HORIZON_DAYS = 30  # a week's value at stake is sized over the 30 days a cost is counted over

# The agents' types, whose points a tenant's risk policy may set (Walker's automation's keep their spec's).
DEFAULT_ACTION_BASE_RISK: dict[str, int] = {action_type: spec.base_risk for action_type, spec in SPECS.items()}

SPEND_WINDOW_DAYS = 30
# Extra spend of half the last 30 days' spend already scores the maximum; below that points grow linearly
# (every 2% of the recent spend is one point), which keeps the factor easy to explain to an approver.
RELATIVE_SATURATION = 0.5
REACH_FLOOR, REACH_CEILING = 100, 1_000_000  # log10 scale between: 2 .. 6
REJECTION_WINDOW = timedelta(days=30)
POINTS_PER_REJECTION = 2.5
VOLUME_WINDOW = timedelta(hours=24)
NORMAL_DAILY_REQUESTS = 10
POINTS_PER_EXTRA_REQUEST = 1.0

# Each factor's name for people, the same on the approval page, the workflow preview and the exports.
FACTOR_LABELS = {
    "budget_relative": gettext_lazy("Cost against recent spend"),
    "budget_absolute": gettext_lazy("Cost in dollars"),  # the cost converted (RISK_DOLLAR_RATES)
    "results_at_stake": gettext_lazy("Results at stake"),  # a pause's or a cut's conversions and their value
    "reach": gettext_lazy("Reach"),
    "action_type": gettext_lazy("Kind of action"),
    "requester_history": gettext_lazy("Requester's history"),
    "confidence": gettext_lazy("Agent confidence"),
}

_PRIORITY = {RiskLevel.CRITICAL: 1, RiskLevel.HIGH: 2, RiskLevel.MEDIUM: 3, RiskLevel.LOW: 4}


def policy_for(tenant) -> RiskPolicy:
    """The tenant's policy as stored now (or as the answer under way read it with its conversation, `read_with`),
    else an unsaved one with the defaults."""
    read = kept((RiskPolicy, tenant.pk))
    if read is not None:
        return read
    return RiskPolicy.objects.filter(tenant=tenant).first() or RiskPolicy(tenant=tenant)


def read_with(tenant) -> None:
    """The answer under way read the tenant with its policy (`select_related("tenant__risk_policy")`): its scoring
    uses that, as routing uses the names it read (agents.reading)."""
    try:
        policy = tenant.risk_policy
    except RiskPolicy.DoesNotExist:
        policy = RiskPolicy(tenant=tenant)
    keep((RiskPolicy, tenant.pk), policy)


@dataclass(frozen=True)
class RiskAssessment:
    score: float  # 0..100, one decimal; the sum of the factors' points
    level: RiskLevel
    factors: list[dict]  # {"factor", "points", "max", "detail", "says"} and a pause's or a cut's "stake"


def assess(
    *,
    tenant,
    action_type: str,
    estimated_cost: Decimal,
    estimated_reach: int,
    confidence: float,
    requested_by=None,
    asked_through=None,
    currency: str = "USD",
    action_data: dict | None = None,
    now=None,
) -> RiskAssessment:
    """Score a proposed action with the tenant's policy (or the defaults); every query is scoped to `tenant`.
    `currency` is the cost's (the campaign's); `asked_through`, the id of the integration token of an agent outside
    Walker that asks (its requester); `action_data`, what it does, for the results a pause or a cut puts at stake
    (without it, as in the workflow preview, none are counted)."""
    now = now or timezone.now()
    policy = policy_for(tenant)
    cost = max(Decimal(estimated_cost), Decimal("0"))
    currency = currency.upper() if isinstance(currency, str) and currency else "USD"
    spent = [_budget_relative(tenant, cost, currency, now), _budget_absolute(cost, currency, policy.large_cost)]
    stake = at_stake(tenant, action_type, action_data, now) if action_data is not None else None
    factors = [
        *spent,
        _results_at_stake(stake, policy.large_cost, RESULTS_MAX - sum(f["points"] for f in spent)),
        _reach(estimated_reach),
        _action_type(tenant, action_type, policy.action_base_risk),
        _requester_history(tenant, requested_by, now, asked_through),
        _confidence(confidence),
    ]
    score = round(sum(f["points"] for f in factors), 1)
    return RiskAssessment(score=score, level=_level(score, policy), factors=factors)


def factor_label(key: str) -> str:
    """A factor's name for people ("Cost against recent spend"); one Walker no longer scores reads as stored."""
    return str(FACTOR_LABELS.get(key, key))


def readable_factors(factors: list, action_type: str) -> list[dict]:
    """The factors as people read them, in the active language: each named ("label") and its reason told from the
    figures kept with it (hitl.risk_reasons), else as stored (`_stored_reason`)."""
    rows = []
    for factor in factors:
        if not isinstance(factor, dict):
            continue
        detail = told(factor.get("says"), factor.get("stake")) or _stored_reason(factor, action_type)
        rows.append({**factor, "label": factor_label(factor.get("factor", "")), "detail": detail})
    return rows


def _stored_reason(factor: dict, action_type: str) -> str:
    """A factor scored before its figures were kept: its stored sentence, the kind of action's naming the action
    ("Set a campaign's daily budget (default)", stored as "set_budget (default)") and the results at stake told
    from their figures (hitl.stakes.detail)."""
    detail = str(factor.get("detail", ""))
    spec = WALKER_SPECS.get(action_type)
    if factor.get("factor") == "action_type" and spec and detail.startswith(f"{action_type} "):
        return f"{spec.label}{detail[len(action_type) :]}"
    if isinstance(factor.get("stake"), dict):
        return stakes.detail(factor["stake"]) or detail
    return detail


def priority_for(level) -> int:
    """The approval's priority: 1 (most urgent) for critical risk, down to 4 for low."""
    return _PRIORITY[RiskLevel(level)]


def _level(score: float, policy: RiskPolicy) -> RiskLevel:
    if score >= policy.critical_threshold:
        return RiskLevel.CRITICAL
    if score >= policy.high_threshold:
        return RiskLevel.HIGH
    if score >= policy.medium_threshold:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def _factor(name: str, points: float, cap: int, kind: str, *, stake: dict | None = None, **figures) -> dict:
    """Points clamped to 0..cap (NaN to the cap) and rounded to one decimal, with why: the reason's `kind` and its
    figures as strings (`says`, told in each reader's language by hitl.risk_reasons, with the `stake` a pause or a
    cut puts at stake) and that reason in English."""
    points = float(cap) if math.isnan(points) else min(max(float(points), 0.0), float(cap))
    says = {"kind": kind, **{key: None if value is None else str(value) for key, value in figures.items()}}
    factor = {"factor": name, "points": round(points, 1), "max": cap, "detail": in_english(says, stake), "says": says}
    return factor if stake is None else {**factor, "stake": stake}


def _budget_relative(tenant, cost: Decimal, currency: str, now) -> dict:
    """The cost against the tenant's spend in the same currency over the 30 complete days before its local today."""
    today = timezone.localdate(now, timezone=ZoneInfo(tenant.timezone))
    spent = CampaignDailyStat.objects.filter(
        tenant=tenant,
        campaign__currency=currency,
        date__gte=today - timedelta(days=SPEND_WINDOW_DAYS),
        date__lt=today,
    ).aggregate(total=Sum("spend"))["total"] or Decimal("0")
    if cost == 0:
        return _factor("budget_relative", 0, BUDGET_RELATIVE_MAX, "no_extra_spend")
    if spent <= 0:
        return _factor(
            "budget_relative",
            BUDGET_RELATIVE_MAX,
            BUDGET_RELATIVE_MAX,
            "cost_without_spend",
            cost=cost,
            currency=currency,
        )
    ratio = float(cost / spent)
    points = BUDGET_RELATIVE_MAX * ratio / RELATIVE_SATURATION
    return _factor(
        "budget_relative",
        points,
        BUDGET_RELATIVE_MAX,
        "cost_share",
        cost=cost,
        currency=currency,
        ratio=ratio,
        spent=spent,
    )


def _budget_absolute(cost: Decimal, currency: str, large_cost: Decimal) -> dict:
    """log10(dollars) / log10(large_cost) of the cap: $1 or less is 0, `large_cost` (dollars) or more the maximum.
    A cost in a currency without a dollar rate scores the maximum."""
    dollars = currencies.in_dollars(cost, currency, settings.RISK_DOLLAR_RATES)
    if dollars is None:
        return _factor(
            "budget_absolute", BUDGET_ABSOLUTE_MAX, BUDGET_ABSOLUTE_MAX, "no_dollar_rate", cost=cost, currency=currency
        )
    if dollars <= 1:
        fraction = 0.0
    elif dollars >= large_cost:
        fraction = 1.0
    else:
        fraction = math.log10(dollars) / math.log10(large_cost)
    return _factor(
        "budget_absolute",
        BUDGET_ABSOLUTE_MAX * fraction,
        BUDGET_ABSOLUTE_MAX,
        "cost_against_large",
        cost=cost,
        currency=currency,
        dollars=None if currency == "USD" else dollars,
        large=large_cost,
    )


def _results_at_stake(stake: Stake | None, large_cost: Decimal, left: float) -> dict:
    """Their share of the account's results over the week (the larger of value, in the campaign's currency, and
    conversions), scored as extra spend is against recent spend; and their value over 30 days in dollars, as a cost
    is. At most `left`: what the action's spend left of money's points. A campaign without figures for the week
    scores nothing, saying so: no results are known to be at stake, and none are made up."""
    if stake is None:
        return _factor("results_at_stake", 0, RESULTS_MAX, "no_stake")
    if not stake.has_figures:
        return _factor("results_at_stake", 0, RESULTS_MAX, "at_stake", stake=stake.stored())
    share = stake.account_share
    relative = min(BUDGET_RELATIVE_MAX * share / RELATIVE_SATURATION, BUDGET_RELATIVE_MAX)
    horizon = stake.value * RESULTS_HORIZON_DAYS / STAKE_DAYS
    absolute = _budget_absolute(horizon, stake.currency, large_cost) if horizon > 0 else None
    points = relative + (absolute["points"] if absolute else 0)
    dollars = currencies.in_dollars(horizon, stake.currency, settings.RISK_DOLLAR_RATES) if absolute else None
    return _factor(
        "results_at_stake",
        min(points, max(left, 0)),
        RESULTS_MAX,
        "at_stake",
        stake=stake.stored(),
        horizon=horizon.quantize(Decimal("1")) if absolute else None,
        dollars=None if dollars is None or stake.currency == "USD" else dollars.quantize(Decimal("1")),
        days=RESULTS_HORIZON_DAYS,
    )


def _reach(reach: int) -> dict:
    """log10 scale: 100 people or fewer is 0, a million or more is the maximum (10,000 is half)."""
    reach = max(reach, 0)
    fraction = math.log10(max(reach, 1) / REACH_FLOOR) / math.log10(REACH_CEILING / REACH_FLOOR)
    return _factor("reach", REACH_MAX * fraction, REACH_MAX, "reach", count=reach)


def _action_type(tenant, action_type: str, overrides) -> dict:
    """The tenant's policy's points for this type, else its spec's (Walker's own default, or the base risk the tenant
    registered the type with); an unknown type or unreadable setting gets the cap."""
    if isinstance(overrides, dict) and action_type in overrides:
        source, raw = "tenant policy", overrides[action_type]
    elif (spec := spec_for(action_type, tenant)) is not None:  # the one lookup: Walker's own, else the tenant's
        source, raw = "default" if action_type in WALKER_SPECS else "registered type", spec.base_risk
    else:
        source, raw = "unknown action type", ACTION_TYPE_MAX
    try:
        points = float(raw)
    except (TypeError, ValueError):
        source, points = "unreadable tenant policy", ACTION_TYPE_MAX
    return _factor("action_type", points, ACTION_TYPE_MAX, "action_type", action=action_type, source=source)


def _requester_history(tenant, requester, now, token_id=None) -> dict:
    """Recent rejections of the requester's requests, and a request pace above normal; the requester is a person,
    or an agent outside Walker by its integration token (`token_id`).

    Both count requests by when they were made (the indexed column); approvals are decided within days.
    """
    if requester is not None:
        theirs = Q(requested_by=requester)
    elif token_id is not None:
        theirs = Q(outside_request__token_id=token_id)
    else:
        return _factor("requester_history", 0, REQUESTER_MAX, "no_requester")
    counts = HITLApproval.objects.filter(theirs, tenant=tenant, requested_at__lte=now).aggregate(
        rejected=Count("pk", filter=Q(status=ApprovalStatus.REJECTED, requested_at__gt=now - REJECTION_WINDOW)),
        recent=Count("pk", filter=Q(requested_at__gt=now - VOLUME_WINDOW)),
    )
    extra = max(counts["recent"] - NORMAL_DAILY_REQUESTS, 0)
    points = counts["rejected"] * POINTS_PER_REJECTION + extra * POINTS_PER_EXTRA_REQUEST
    return _factor(
        "requester_history",
        points,
        REQUESTER_MAX,
        "requester",
        rejected=counts["rejected"],
        recent=counts["recent"],
        normal=NORMAL_DAILY_REQUESTS,
    )


def _confidence(confidence: float) -> dict:
    """(1 - confidence) of the cap; an unreadable confidence counts as none."""
    confidence = 0.0 if math.isnan(confidence) else min(max(confidence, 0.0), 1.0)
    return _factor("confidence", CONFIDENCE_MAX * (1 - confidence), CONFIDENCE_MAX, "confidence", share=confidence)
