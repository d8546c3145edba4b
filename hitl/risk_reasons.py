"""Why a risk factor scored its points, told in the reader's language from the figures kept with it (the factor's
`"says"`: a kind and its figures, as strings) rather than from a sentence stored in the language of whoever filed it.

The factor's stored `"detail"` is the same sentence told in English when it was scored: what the API and the exports
give, and what an approval scored before the figures were kept shows.
"""

from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from agents.action_specs import WALKER_SPECS
from hitl import stakes
from tenants.templatetags.walker_l10n import money


def amount(value, currency: str) -> str:
    """An amount as a reason reads it: whole when it is ("$1,250", "¥70,000"), else with its cents ("$12.50")."""
    value = Decimal(value)
    return money(value, places=0 if value == value.to_integral_value() else None, currency=currency)


def whole_percent(ratio) -> str:
    """A share as a whole percentage: "40%", "0%"."""
    return f"{floatformat(Decimal(ratio) * 100, 0)}%"


def _cost(says: dict) -> str:
    """The cost, with its dollars beside another currency's when they are kept."""
    cost = amount(says["cost"], says["currency"])
    if says.get("dollars") is None:
        return cost
    return _("%(amount)s (about %(dollars)s)") % {"amount": cost, "dollars": amount(says["dollars"], "USD")}


def _action(action_type: str) -> str:
    """Walker's own kind of action by its name for people; another by its type, as registered."""
    spec = WALKER_SPECS.get(action_type)
    return str(spec.label) if spec else action_type


def _source(source: str) -> str:
    return {
        "default": pgettext("risk source", "default"),
        "tenant policy": _("tenant policy"),
        "registered type": _("registered type"),
        "unknown action type": _("unknown action type"),
        "unreadable tenant policy": _("unreadable tenant policy"),
    }.get(source, source)


def _cost_share(says: dict) -> str:
    words = {"cost": _cost(says), "spent": amount(says["spent"], says["currency"])}
    if Decimal(says["ratio"]) < Decimal("0.01"):
        return _("%(cost)s is under 1%% of the last 30 days' spend (%(spent)s)") % words
    return _("%(cost)s is %(share)s of the last 30 days' spend (%(spent)s)") % {
        **words,
        "share": whole_percent(says["ratio"]),
    }


TELLERS = {
    "no_extra_spend": lambda says: _("No extra spend"),
    "cost_without_spend": lambda says: _("%(cost)s with no spend in the last 30 days") % {"cost": _cost(says)},
    "cost_share": lambda says: _cost_share(says),
    "no_dollar_rate": lambda says: _("%(cost)s: no dollar rate for %(currency)s (RISK_DOLLAR_RATES), counted as large")
    % {"cost": _cost(says), "currency": says["currency"]},
    "cost_against_large": lambda says: _("%(cost)s against a large cost of %(large)s")
    % {"cost": _cost(says), "large": amount(says["large"], "USD")},
    "no_stake": lambda says: _("No campaign's results at stake"),
    "reach": lambda says: ngettext("%(count)s person reached", "%(count)s people reached", int(says["count"]))
    % {"count": number_format(int(says["count"]), force_grouping=True)},
    "action_type": lambda says: _("%(action)s (%(source)s)")
    % {"action": _action(says["action"]), "source": _source(says["source"])},
    "no_requester": lambda says: _("No requester"),
    "requester": lambda says: _(
        "%(rejected)s rejected in the last 30 days; %(recent)s requests in the last 24 hours (normal: up to %(normal)s)"
    )
    % {"rejected": says["rejected"], "recent": says["recent"], "normal": says["normal"]},
    "confidence": lambda says: _("Agent confidence %(share)s") % {"share": whole_percent(says["share"])},
}


def _at_stake(says: dict, stake) -> str:
    """What a pause or a cut puts at stake (hitl.stakes), and its value over the horizon a cost is counted over."""
    words = stakes.detail(stake) if isinstance(stake, dict) else ""
    if not words:
        raise ValueError("no stake kept")
    if says.get("horizon") is None:
        return words
    horizon = amount(says["horizon"], stake["currency"])
    if says.get("dollars") is not None:
        horizon = _("%(amount)s (about %(dollars)s)") % {"amount": horizon, "dollars": amount(says["dollars"], "USD")}
    return _("%(stake)s; about %(amount)s in %(days)s days") % {"stake": words, "amount": horizon, "days": says["days"]}


def told(says, stake=None) -> str | None:
    """The reason in the active language; None when it cannot be told from what was kept (a kind Walker no longer
    tells, a figure missing or unreadable): the stored detail is shown instead."""
    if not isinstance(says, dict) or says.get("kind") not in {*TELLERS, "at_stake"}:
        return None
    try:
        return _at_stake(says, stake) if says["kind"] == "at_stake" else TELLERS[says["kind"]](says)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None


def in_english(says: dict, stake=None) -> str:
    """The reason as it is stored with the factor."""
    with translation.override("en"):
        return told(says, stake) or ""
