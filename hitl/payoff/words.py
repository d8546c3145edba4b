"""A measured change (`measure.Payoff`) as the approval page says it, in the active language and zone."""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agents.models import Campaign
from core.when import day, moment
from hitl.payoff.figures import Figures
from hitl.payoff.measure import HELD_DAYS, Hold, Payoff
from tenants.templatetags.walker_l10n import money


def ratio(value: Decimal | None) -> str:
    """A ROAS as "2.50"; "—" when there is none (no spend)."""
    return "—" if value is None else floatformat(value, 2)


def amount(value: Decimal | None, currency: str) -> str:
    return "—" if value is None else money(value, currency=currency)


def rows(payoff: Payoff) -> list[tuple[str, str, str]]:
    """(figure, before, after) for the table: "—" for a window without figures, a CPA without conversions, a ROAS
    without spend."""

    def each(figures: Figures | None) -> list[str]:
        if figures is None:
            return ["—"] * 5
        return [
            amount(figures.spend, payoff.currency),
            floatformat(figures.conversions, "0g"),
            amount(figures.value, payoff.currency),
            amount(figures.cpa, payoff.currency),
            ratio(figures.roas),
        ]

    names = [_("Spend"), _("Conversions"), _("Conversion value"), _("CPA"), _("ROAS")]
    return list(zip(names, each(payoff.before), each(payoff.after), strict=True))


def after_heading(payoff: Payoff) -> str:
    if payoff.complete:
        return ngettext("%(days)s day after", "%(days)s days after", payoff.days) % {"days": payoff.days}
    return ngettext(
        "After: %(so_far)s of %(days)s day so far", "After: %(so_far)s of %(days)s days so far", payoff.days
    ) % {"so_far": payoff.days_so_far, "days": payoff.days}


def before_heading(payoff: Payoff) -> str:
    return ngettext("%(days)s day before", "%(days)s days before", payoff.days) % {"days": payoff.days}


def span(payoff: Payoff) -> str:
    return ngettext(
        "%(campaign)s: the %(days)s day before and after %(day)s, the day the change ran (in neither)",
        "%(campaign)s: the %(days)s days before and after %(day)s, the day the change ran (in neither)",
        payoff.days,
    ) % {"campaign": payoff.campaign, "days": payoff.days, "day": day(payoff.executed_on)}


def no_figures(payoff: Payoff) -> str:
    return ngettext(
        "No figures were synced for %(campaign)s in the %(days)s day before or after this change.",
        "No figures were synced for %(campaign)s in the %(days)s days before or after this change.",
        payoff.days,
    ) % {"campaign": payoff.campaign, "days": payoff.days}


def _value(value: str, currency: str) -> str:
    if not value:
        return "—"
    if currency:
        return money(value, currency=currency)
    return str(dict(Campaign.Status.choices).get(value.lower(), value))


def held(payoff: Payoff) -> str:
    """Whether it held, and if not, which change undid it or changed it again, by whom or through what."""
    if payoff.hold == Hold.HELD:
        return ngettext(
            "Held: nothing reverted or changed it within %(days)s day.",
            "Held: nothing reverted or changed it within %(days)s days.",
            HELD_DAYS,
        ) % {"days": HELD_DAYS}
    if payoff.hold == Hold.HOLDING:
        return ngettext(
            "Holding so far: nothing has changed it in %(so_far)s of %(days)s day.",
            "Holding so far: nothing has changed it in %(so_far)s of %(days)s days.",
            HELD_DAYS,
        ) % {"so_far": payoff.held_days_so_far, "days": HELD_DAYS}
    if payoff.hold == Hold.UNKNOWN or payoff.change is None:
        return _("Whether it held cannot be told: nothing records this campaign's later changes.")
    change = payoff.change
    words = {
        "when": moment(change.at),
        "before": _value(change.before, change.currency),
        "after": _value(change.after, change.currency),
        "reference": change.approval_reference or "—",
        "who": change.actor or _("someone"),
        "tool": change.tool or _("the platform"),
    }
    reverted = payoff.hold == Hold.REVERTED
    if change.by_walker:
        sentence = (
            _("Did not hold: reverted by Walker on %(when)s (approval %(reference)s), %(before)s → %(after)s.")
            if reverted
            else _(
                "Did not hold: changed again by Walker on %(when)s (approval %(reference)s), %(before)s → %(after)s."
            )
        )
    else:
        sentence = (
            _("Did not hold: reverted outside Walker on %(when)s by %(who)s through %(tool)s, %(before)s → %(after)s.")
            if reverted
            else _(
                "Did not hold: changed again outside Walker on %(when)s by %(who)s through %(tool)s, "
                "%(before)s → %(after)s."
            )
        )
    return sentence % words


def shown(payoff: Payoff | None) -> dict | None:
    """What the approval page's section shows, or None for an approval that is not an executed change of a synced
    campaign."""
    if payoff is None:
        return None
    return {
        "span": span(payoff),
        "before_heading": before_heading(payoff),
        "after_heading": after_heading(payoff),
        "rows": rows(payoff) if payoff.has_figures else [],
        "no_figures": "" if payoff.has_figures else no_figures(payoff),
        "held": held(payoff),
        "hold": payoff.hold,
    }
