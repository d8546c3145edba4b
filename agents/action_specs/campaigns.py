"""Campaign actions: set a daily budget, pause, resume (the Paid Ads agent's)."""

from decimal import Decimal, InvalidOperation

from django.conf import settings

from agents.action_specs.base import CENT, ID, MONEY, TEXT, ActionSpec, Editable, Target, locked, money, row, state
from agents.executors.base import ExecutionError, ExecutionResult
from agents.formatting import money_exact
from agents.models import AgentType, Campaign

BUDGET_DAYS = 30  # a budget change is costed over the next 30 days
IDS = {"campaign_id": ID, "campaign_name": TEXT}
CAMPAIGN = Target("campaign", ("campaign_id",))  # budget, pause and resume of one campaign conflict
NAMES = {"campaign_id": "campaign_name"}


def extra_spend(daily_amount: Decimal) -> Decimal:
    """Money a daily amount commits over the costed period."""
    return (max(daily_amount, Decimal("0")) * BUDGET_DAYS).quantize(CENT)


def _campaign(tenant, data, *, status=None) -> tuple[Campaign | None, str | None]:
    campaign = row(Campaign.objects.for_tenant(tenant), data.get("campaign_id"))
    if campaign is None:
        return None, "that campaign does not exist in your account"
    if status and campaign.status != status:
        return campaign, f"{campaign.name} is already {campaign.status}"
    return campaign, None


def _name(data) -> str:
    return data.get("campaign_name") or "the campaign"


# --- set_budget ------------------------------------------------------------------------


def check_budget(tenant, data):
    campaign, reason = _campaign(tenant, data)
    if reason:
        return reason
    budget = money(data.get("daily_budget"))
    if budget is None:
        return "the new daily budget is not a number"
    if budget <= 0:
        return "a daily budget must be more than zero"
    if budget > settings.GATEWAY_MAX_DAILY_BUDGET:
        return f"a daily budget above ${settings.GATEWAY_MAX_DAILY_BUDGET:,} needs to be set by hand"
    if budget == campaign.daily_budget:
        return f"{campaign.name} already has a ${budget:,.2f} daily budget"
    return None


def budget_cost(data) -> Decimal | None:
    """The extra spend of a raise over the costed period (a cut commits nothing)."""
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget", "0"))
    if new is None or old is None:
        return None
    return extra_spend(new - old)


def describe_budget(data) -> str:
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget", "0"))
    if new is None or old is None:
        return f"Set {_name(data)} daily budget"
    verb = "Raise" if new > old else "Lower" if new < old else "Keep"
    return f"{verb} {_name(data)} daily budget from {money_exact(old)} to {money_exact(new)}"


def budget_changes(tenant, data):
    campaign, _ = _campaign(tenant, data)
    now = money_exact(campaign.daily_budget) if campaign else "campaign not found"
    new = money(data.get("daily_budget"))
    return [(f"{_name(data)} daily budget", now, money_exact(new) if new is not None else "—")]


def _daily_budget(raw) -> Decimal:
    try:
        amount = Decimal(str(raw)).quantize(CENT)  # cents, as the column stores them
        if amount > 0:
            return amount
    except InvalidOperation:  # not a number, infinite or NaN
        pass
    raise ExecutionError(f"A daily budget must be an amount above zero, not {raw!r}")


def set_budget(tenant, data) -> ExecutionResult:
    campaign = locked(Campaign, tenant, data.get("campaign_id"), "That campaign")
    budget = _daily_budget(data.get("daily_budget"))
    previous, before = campaign.daily_budget, state(campaign, "daily_budget")
    campaign.daily_budget = budget
    campaign.save(update_fields=["daily_budget", "updated_at"])
    detail = f"{campaign.name} daily budget ${previous:,.2f} -> ${budget:,.2f}"
    return ExecutionResult(before, state(campaign, "daily_budget"), detail)


# --- pause and resume ------------------------------------------------------------------


def _set_status(tenant, data, status: str, verb: str) -> ExecutionResult:
    campaign = locked(Campaign, tenant, data.get("campaign_id"), "That campaign")
    if campaign.status == status:
        raise ExecutionError(f"{campaign.name} is already {status}")
    before = state(campaign, "status")
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    return ExecutionResult(before, state(campaign, "status"), f"{verb} {campaign.name}")


def _status_changes(after: str):
    def changes(tenant, data):
        campaign, _ = _campaign(tenant, data)
        return [(f"{_name(data)} status", campaign.status if campaign else "not found", after)]

    return changes


SPECS = [
    ActionSpec(
        action_type="set_budget",
        label="Set a campaign's daily budget",
        agents=frozenset({AgentType.PAID_ADS}),
        properties={**IDS, "daily_budget": MONEY, "previous_daily_budget": MONEY},
        required=("campaign_id", "daily_budget", "previous_daily_budget"),
        check=check_budget,
        execute=set_budget,
        describe=describe_budget,
        changes=budget_changes,
        base_risk=20,  # moves money directly
        editable=(Editable("daily_budget", "New daily budget ($)"),),
        cost=budget_cost,
        cost_rule=f"the extra daily budget times {BUDGET_DAYS} (a cut costs nothing)",
        target=CAMPAIGN,
        names=NAMES,
        context=("previous_daily_budget",),
    ),
    ActionSpec(
        action_type="pause_campaign",
        label="Pause a campaign",
        agents=frozenset({AgentType.PAID_ADS}),
        properties=IDS,
        required=("campaign_id",),
        check=lambda tenant, data: _campaign(tenant, data, status=Campaign.Status.ACTIVE)[1],
        execute=lambda tenant, data: _set_status(tenant, data, Campaign.Status.PAUSED, "Paused"),
        describe=lambda data: f"Pause {_name(data)}",
        changes=_status_changes("paused"),
        base_risk=10,
        target=CAMPAIGN,
        names=NAMES,
    ),
    ActionSpec(
        action_type="resume_campaign",
        label="Resume a campaign",
        agents=frozenset({AgentType.PAID_ADS}),
        properties=IDS,
        required=("campaign_id",),
        check=lambda tenant, data: _campaign(tenant, data, status=Campaign.Status.PAUSED)[1],
        execute=lambda tenant, data: _set_status(tenant, data, Campaign.Status.ACTIVE, "Resumed"),
        describe=lambda data: f"Resume {_name(data)}",
        changes=_status_changes("active"),
        base_risk=12,
        target=CAMPAIGN,
        names=NAMES,
    ),
]
