"""What pausing or cutting a campaign puts at stake: its conversions and conversion value over the last whole week
in the tenant's zone (agents.performance), in the campaign's own currency, times the share of them the action takes
away (its spec's `stake`: all of them for a pause, the cut's share of the budget for a lower one).

Scored by hitl.risk and kept with its factor (`"stake"`), so every channel tells the approver "what this will do"
from the figures the score read (hitl.presentation.effect), never from figures synced since.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agents.action_specs import WALKER_SPECS
from agents.action_specs.base import row
from agents.models import Campaign
from agents.performance import Totals, campaign_and_account, last_days
from core import currencies
from tenants.templatetags.walker_l10n import money

CAMPAIGN = "campaign"  # the kind of target (agents.action_specs.base.Target) whose results are at stake
STAKE_DAYS = 7  # a week: every weekday once, so a weekend does not make a campaign look idle


@dataclass(frozen=True)
class Stake:
    campaign: str  # its name
    currency: str  # the campaign's: `value` and `account_value` are in it
    share: Decimal  # of the campaign's results the action takes away (1 for a pause)
    first: date  # the week read, whole days in the tenant's zone
    last: date
    has_figures: bool  # False: nothing was synced for those days, and nothing is invented
    conversions: Decimal = Decimal("0")  # the week's, times `share`
    value: Decimal = Decimal("0")  # the week's conversion value, times `share`
    account_conversions: int = 0  # every campaign's, over the same days
    account_value: Decimal = Decimal("0")  # the campaigns counted in `currency`, over the same days

    @property
    def account_share(self) -> float:
        """Their share of the account's results over the same days: the larger of value (in `currency`) and
        conversions; 0 when the account had none."""
        shares = [
            float(self.value / self.account_value) if self.account_value > 0 else 0.0,
            float(self.conversions / self.account_conversions) if self.account_conversions > 0 else 0.0,
        ]
        return min(max(shares), 1.0)

    def stored(self) -> dict:
        """What the risk factor keeps (JSON): what the approver is told."""
        return {
            "campaign": self.campaign,
            "currency": self.currency,
            "share": str(self.share),
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "has_figures": self.has_figures,
            "conversions": str(self.conversions),
            "value": str(self.value),
            "account_share": f"{self.account_share:.4f}",
        }


def at_stake(tenant, action_type: str, data, now=None) -> Stake | None:
    """What the action puts at stake, or None when it takes nothing away (a raise, a keyword, a campaign not in
    the tenant's account)."""
    spec = WALKER_SPECS.get(action_type)  # a tenant's registered types change nothing of Walker's campaigns
    share = spec.stake(data) if spec is not None and isinstance(data, dict) else None
    if share is None or share <= 0:
        return None
    if spec.target is None or spec.target.kind != CAMPAIGN:
        return None
    campaign = row(Campaign.objects.for_tenant(tenant), data.get(spec.target.fields[0]))
    if campaign is None:
        return None
    window, _previous = last_days(tenant, STAKE_DAYS, now)
    own, account = campaign_and_account(tenant, window, campaign)
    currency = campaign.currency.upper()
    share = min(share, Decimal("1")).quantize(Decimal("0.0001")).normalize()  # "0.4", "0.3333", "1"
    stake = Stake(campaign.name, currency, share, window.first, window.last, own is not None)
    return _with_figures(stake, own, account) if own is not None else stake


def _with_figures(stake: Stake, own: Totals, account: Totals) -> Stake:
    places = Decimal(1).scaleb(-currencies.places(stake.currency))  # yen whole, dollars in cents
    return replace(
        stake,
        conversions=(own.conversions * stake.share).quantize(Decimal("0.1")),
        value=(own.revenue * stake.share).quantize(places),
        account_conversions=account.conversions,
        account_value=account.revenue,
    )


def kept(factors) -> dict | None:
    """The stake an approval's risk factors keep (`Stake.stored`), or None."""
    return next(
        (f["stake"] for f in factors or [] if isinstance(f, dict) and isinstance(f.get("stake"), dict)),
        None,
    )


def words(stake: dict) -> str:
    """What the action puts at stake, as kept with its risk factor (`Stake.stored`), in the active language: "Pauses
    Brand Search: about 42 conversions and $12,147 of value a week at stake (7 days to June 14)"; "" for a stake
    stored in another shape."""
    try:
        share, conversions, value = (Decimal(stake[key]) for key in ("share", "conversions", "value"))
        campaign, currency, last = str(stake["campaign"]), str(stake["currency"]), parse_date(stake["last"])
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return ""
    if last is None:
        return ""
    # Translators: the week a stake was read over (STAKE_DAYS), e.g. "7 days to June 14".
    days = _("7 days to %(day)s") % {"day": date_format(last, "MONTH_DAY_FORMAT")}
    if not stake.get("has_figures"):
        return _("No figures for %(campaign)s in the %(days)s: what it puts at stake is not known") % {
            "campaign": campaign,
            "days": days,
        }
    words = {
        "campaign": campaign,
        "share": f"{floatformat(share * 100, 0)}%",
        "conversions": floatformat(conversions, "0g" if conversions >= 1 else "-1g"),
        "value": money(value, 0, currency=currency),
        "days": days,
    }
    count = int(conversions.quantize(Decimal("1"))) if conversions >= 1 else 0  # "about 0.4 conversions": plural
    if share >= 1:  # all its results: a pause
        sentence = ngettext(
            "Pauses %(campaign)s: about %(conversions)s conversion and %(value)s of value a week at stake (%(days)s)",
            "Pauses %(campaign)s: about %(conversions)s conversions and %(value)s of value a week at stake (%(days)s)",
            count,
        )
    else:
        sentence = ngettext(
            "Cuts %(campaign)s by %(share)s: about %(conversions)s conversion and %(value)s of value a week at "
            "stake (%(days)s)",
            "Cuts %(campaign)s by %(share)s: about %(conversions)s conversions and %(value)s of value a week at "
            "stake (%(days)s)",
            count,
        )
    return sentence % words


def detail(stake: dict) -> str:
    """The risk factor's reason in the active language: what is at stake and its share of the account's results."""
    told = words(stake)
    try:
        share = Decimal(stake["account_share"])
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return told
    if not told or not stake.get("has_figures"):
        return told
    return _("%(stake)s; %(share)s of the account's results over those days") % {
        "stake": told,
        "share": f"{floatformat(share * 100, 0)}%",
    }
