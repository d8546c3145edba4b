"""A measured change (`measure.Payoff`) as the API and the exports give it: amounts as strings with the digits of
the campaign's currency (yen whole), days as ISO dates, `null` for a CPA without conversions or a ROAS without
spend."""

from decimal import ROUND_HALF_EVEN, Decimal

from core import currencies
from hitl.payoff.figures import Figures, Window
from hitl.payoff.measure import HELD_DAYS, Payoff


def in_currency(value: Decimal | None, currency: str) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(1).scaleb(-currencies.places(currency)), rounding=ROUND_HALF_EVEN))


def ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def figures(found: Figures | None, window: Window, currency: str) -> dict:
    base = {"first": window.first.isoformat(), "last": window.last.isoformat()}
    if found is None:
        return {**base, "days_with_figures": 0, "spend": None, "conversions": None, "value": None, "cpa": None,
                "roas": None}  # fmt: skip
    return {
        **base,
        "days_with_figures": found.days,
        "spend": in_currency(found.spend, currency),
        "conversions": found.conversions,
        "value": in_currency(found.value, currency),
        "cpa": in_currency(found.cpa, currency),
        "roas": ratio(found.roas),
    }


def held(payoff: Payoff) -> dict:
    change = payoff.change
    return {
        "state": payoff.hold,  # held, holding, reverted, changed_again, unknown
        "days": HELD_DAYS,
        "days_so_far": payoff.held_days_so_far,
        "change": None
        if change is None
        else {
            "at": change.at.isoformat(),
            "by": "walker" if change.by_walker else "outside",
            "approval_reference": change.approval_reference or None,
            "actor": change.actor or None,
            "tool": change.tool or None,
            "before": change.before,
            "after": change.after,
            "currency": change.currency or None,
        },
    }


def as_data(payoff: Payoff | None) -> dict | None:
    if payoff is None:
        return None
    return {
        "campaign": {"id": str(payoff.campaign_id), "name": payoff.campaign},
        "platform": payoff.platform,
        "currency": payoff.currency,
        "executed_on": payoff.executed_on.isoformat(),
        "days": payoff.days,
        "before": figures(payoff.before, payoff.before_window, payoff.currency),
        "after": {
            **figures(payoff.after, payoff.after_window, payoff.currency),
            "days_so_far": payoff.days_so_far,
            "complete": payoff.complete,
        },
        "held": held(payoff),
    }
