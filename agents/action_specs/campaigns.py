"""Campaign actions: set a daily budget, pause, resume (the Paid Ads agent's)."""

import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from agents.action_specs.base import (
    CENT,
    ID,
    MONEY,
    STATES,
    TEXT,
    ActionSpec,
    Editable,
    Target,
    locked,
    money,
    row,
    state,
    state_word,
)
from agents.executors.base import ExecutionError, ExecutionResult
from agents.models import AgentType, Campaign
from agents.reading import CAMPAIGNS, kept
from core import currencies
from core.money import money_exact
from core.sentence import Money, Sentence

BUDGET_DAYS = 30  # a budget change is costed over the next 30 days
IDS = {"campaign_id": ID, "campaign_name": TEXT}
CAMPAIGN = Target("campaign", ("campaign_id",))  # budget, pause and resume of one campaign conflict
NAMES = {"campaign_id": "campaign_name"}
PAUSED = gettext_noop("Paused %(campaign)s")  # what pausing did, for the history
RESUMED = gettext_noop("Resumed %(campaign)s")
MISSING = gettext_noop("That campaign does not exist in this account")


def extra_spend(daily_amount: Decimal) -> Decimal:
    """Money a daily amount commits over the costed period."""
    return (max(daily_amount, Decimal("0")) * BUDGET_DAYS).quantize(CENT)


def _campaign(tenant, data, *, status=None) -> tuple[Campaign | None, str | None]:
    campaign = _row(tenant, data.get("campaign_id"))
    if campaign is None:
        return None, _("that campaign does not exist in your account")
    if status and campaign.status != status:
        return campaign, _("%(campaign)s is already %(state)s") % {
            "campaign": campaign.name,
            "state": state_word(campaign.status),
        }
    return campaign, None


def _row(tenant, raw_id) -> Campaign | None:
    """The tenant's campaign `raw_id`: from the message's reading when an answer is checking what its engine
    proposed (the rows routing read a moment ago), else from the table."""
    campaigns = kept((CAMPAIGNS, tenant.pk))
    if campaigns is None:
        return row(Campaign.objects.for_tenant(tenant), raw_id)
    try:
        return campaigns.get(uuid.UUID(raw_id))
    except (TypeError, ValueError, AttributeError):  # not an id: no campaign, as `row` reads it
        return None


def _name(data) -> str:
    return data.get("campaign_name") or _("the campaign")


def with_currency(tenant, data) -> dict:
    """The proposal with its campaign's currency, so that every reader sees its money as the campaign counts it."""
    campaign = _row(tenant, data.get("campaign_id"))
    return {**data, "currency": campaign.currency} if campaign is not None else data


# --- set_budget ------------------------------------------------------------------------


def check_budget(tenant, data):
    campaign, reason = _campaign(tenant, data)
    if reason:
        return reason
    budget = money(data.get("daily_budget"))
    if budget is None:
        return _("the new daily budget is not a number")
    if budget <= 0:
        return _("a daily budget must be more than zero")
    if campaign.currency == "USD" and budget > settings.GATEWAY_MAX_DAILY_BUDGET:  # the setting is in dollars
        return _("a daily budget above %(amount)s needs to be set by hand") % {
            "amount": _whole_dollars(settings.GATEWAY_MAX_DAILY_BUDGET)
        }
    if budget == campaign.daily_budget:
        return _("%(campaign)s already has a %(amount)s daily budget") % {
            "campaign": campaign.name,
            "amount": money_exact(budget, campaign.currency),
        }
    return None


def _whole_dollars(amount) -> str:
    """The setting as written ("$2,000" or "$2,000.5"), grouped and in the active language's money pattern."""
    return _("$%(amount)s") % {"amount": number_format(amount, use_l10n=True, force_grouping=True)}


def budget_cost(data) -> Decimal | None:
    """The extra spend of a raise over the costed period (a cut commits nothing)."""
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget", "0"))
    if new is None or old is None:
        return None
    return extra_spend(new - old)


def budget_stake(data) -> Decimal | None:
    """A cut's share of the daily budget, the share of the campaign's results it puts at stake (a raise: None)."""
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget", "0"))
    if new is None or old is None or old <= 0 or new >= old:
        return None
    return (old - max(new, Decimal("0"))) / old


def budgets(data) -> tuple[Decimal, Decimal] | None:
    """The daily budget before and after the change, when the data says both."""
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget"))
    return None if new is None or old is None else (old, new)


def describe_budget(data) -> str:
    new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget", "0"))
    if new is None or old is None:
        return _("Set %(name)s daily budget") % {"name": _name(data)}
    if new > old:
        sentence = _("Raise %(name)s daily budget from %(old)s to %(new)s")
    elif new < old:
        sentence = _("Lower %(name)s daily budget from %(old)s to %(new)s")
    else:
        sentence = _("Keep %(name)s daily budget from %(old)s to %(new)s")
    code = currencies.of_action(data)
    return sentence % {"name": _name(data), "old": money_exact(old, code), "new": money_exact(new, code)}


def budget_changes(tenant, data):
    campaign, _reason = _campaign(tenant, data)
    code = campaign.currency if campaign else currencies.of_action(data)
    now = money_exact(campaign.daily_budget, code) if campaign else _("campaign not found")
    new = money(data.get("daily_budget"))
    what = _("%(campaign)s daily budget") % {"campaign": _name(data)}
    return [(what, now, money_exact(new, code) if new is not None else "—")]


def _daily_budget(raw) -> Decimal:
    try:
        amount = Decimal(str(raw)).quantize(CENT)  # cents, as the column stores them
        if amount > 0:
            return amount
    except InvalidOperation:  # not a number, infinite or NaN
        pass
    raise ExecutionError(_("A daily budget must be an amount above zero, not %(value)r") % {"value": raw})


def set_budget(tenant, data) -> ExecutionResult:
    campaign = locked(Campaign, tenant, data.get("campaign_id"), Sentence(MISSING))
    budget = _daily_budget(data.get("daily_budget"))
    previous, before = campaign.daily_budget, state(campaign, "daily_budget")
    campaign.daily_budget = budget
    campaign.save(update_fields=["daily_budget", "updated_at"])
    detail = Sentence(
        gettext_noop("%(campaign)s daily budget %(old)s -> %(new)s"),
        campaign=campaign.name,
        old=Money(previous, campaign.currency),
        new=Money(budget, campaign.currency),
    )
    return ExecutionResult(before, state(campaign, "daily_budget"), detail)


# --- pause and resume ------------------------------------------------------------------


def _set_status(tenant, data, status: str, done: str) -> ExecutionResult:
    """`done`: the detail's English original, with %(campaign)s for the campaign's name."""
    campaign = locked(Campaign, tenant, data.get("campaign_id"), Sentence(MISSING))
    if campaign.status == status:
        already = gettext_noop("%(campaign)s is already %(state)s")
        raise ExecutionError(Sentence(already, campaign=campaign.name, state=STATES.get(status, status)))
    before = state(campaign, "status")
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    return ExecutionResult(before, state(campaign, "status"), Sentence(done, campaign=campaign.name))


def _status_changes(after: str):
    def changes(tenant, data):
        campaign, _reason = _campaign(tenant, data)
        what = _("%(campaign)s status") % {"campaign": _name(data)}
        return [(what, state_word(campaign.status) if campaign else _("not found"), state_word(after))]

    return changes


SPECS = [
    ActionSpec(
        action_type="set_budget",
        label=gettext_lazy("Set a campaign's daily budget"),
        agents=frozenset({AgentType.PAID_ADS}),
        properties={**IDS, "daily_budget": MONEY, "previous_daily_budget": MONEY},
        required=("campaign_id", "daily_budget", "previous_daily_budget"),
        check=check_budget,
        execute=set_budget,
        describe=describe_budget,
        changes=budget_changes,
        base_risk=20,  # moves money directly
        editable=(Editable("daily_budget", gettext_lazy("New daily budget"), money=True),),
        cost=budget_cost,
        stake=budget_stake,
        daily_budgets=budgets,
        cost_rule=format_lazy(
            gettext_lazy("the extra daily budget times {days} (a cut costs nothing)"),
            days=BUDGET_DAYS,
        ),
        target=CAMPAIGN,
        names=NAMES,
        context=("previous_daily_budget",),
        complete=with_currency,
    ),
    ActionSpec(
        action_type="pause_campaign",
        label=gettext_lazy("Pause a campaign"),
        agents=frozenset({AgentType.PAID_ADS}),
        properties=IDS,
        required=("campaign_id",),
        check=lambda tenant, data: _campaign(tenant, data, status=Campaign.Status.ACTIVE)[1],
        execute=lambda tenant, data: _set_status(tenant, data, Campaign.Status.PAUSED, PAUSED),
        describe=lambda data: _("Pause %(name)s") % {"name": _name(data)},
        changes=_status_changes("paused"),
        base_risk=10,
        stake=lambda data: Decimal("1"),  # all the campaign's results
        target=CAMPAIGN,
        names=NAMES,
    ),
    ActionSpec(
        action_type="resume_campaign",
        label=gettext_lazy("Resume a campaign"),
        agents=frozenset({AgentType.PAID_ADS}),
        properties=IDS,
        required=("campaign_id",),
        check=lambda tenant, data: _campaign(tenant, data, status=Campaign.Status.PAUSED)[1],
        execute=lambda tenant, data: _set_status(tenant, data, Campaign.Status.ACTIVE, RESUMED),
        describe=lambda data: _("Resume %(name)s") % {"name": _name(data)},
        changes=_status_changes("active"),
        base_risk=12,
        target=CAMPAIGN,
        names=NAMES,
    ),
]
