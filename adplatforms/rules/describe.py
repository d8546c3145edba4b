"""A firing's figures in the words approvers read, e.g. "CPA $84.20 over the last 7 days, above $60.00; spend
$1,263", each amount in the campaign's own currency."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from adplatforms.rules.evaluation import Hit
from adplatforms.rules.models import Comparison, Metric, PerformanceRule
from agents.formatting import number
from core.money import money

SUMMARY_LENGTH = 300  # HITLApproval.action_summary


def _metric_name(metric: str) -> str:
    return {
        Metric.SPEND: _("Spend"),
        Metric.CPA: _("CPA"),
        Metric.ROAS: _("ROAS"),
        Metric.CTR: _("CTR"),
        Metric.CONVERSIONS: _("Conversions"),
        Metric.PACING: _("Budget pacing"),
    }[metric]


def _comparison(comparison: str) -> str:
    return {
        Comparison.ABOVE: _("above"),
        Comparison.AT_LEAST: _("at least"),
        Comparison.BELOW: _("below"),
        Comparison.AT_MOST: _("at most"),
    }[comparison]


def figure(metric: str, value: Decimal, currency: str) -> str:
    """A metric's value as people read it: money in the currency, ROAS as "2.35x", CTR and pacing in percent."""
    if metric in (Metric.SPEND, Metric.CPA):
        return money(value, currency)
    if metric == Metric.CONVERSIONS:
        return number(value)
    decimals = 1 if metric == Metric.PACING else 2
    shown = number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{shown}x" if metric == Metric.ROAS else _("%(number)s%%") % {"number": shown}


def condition(rule: PerformanceRule) -> str:
    """The rule's condition as the console lists it, e.g. "CPA above $60.00 over 7 days"."""
    return ngettext(
        "%(metric)s %(comparison)s %(threshold)s over %(days)s day",
        "%(metric)s %(comparison)s %(threshold)s over %(days)s days",
        rule.window_days,
    ) % {
        "metric": _metric_name(rule.metric),
        "comparison": _comparison(rule.comparison),
        "threshold": figure(rule.metric, rule.threshold, rule.currency or "USD"),
        "days": rule.window_days,
    }


def figures(rule: PerformanceRule, hit: Hit) -> str:
    """What fired the rule for one campaign: the metric, its threshold and (for any metric but spend) the spend."""
    currency = hit.campaign.currency
    days = rule.window_days
    words = ngettext(
        "%(metric)s %(value)s over the last day, %(comparison)s %(threshold)s",
        "%(metric)s %(value)s over the last %(days)s days, %(comparison)s %(threshold)s",
        days,
    ) % {
        "metric": _metric_name(rule.metric),
        "value": figure(rule.metric, hit.value, currency),
        "days": days,
        "comparison": _comparison(rule.comparison),
        "threshold": figure(rule.metric, rule.threshold, currency),
    }
    if rule.metric != Metric.SPEND:
        words += _("; spend %(spend)s") % {"spend": money(hit.totals.spend, currency)}
    return words


def proposal_summary(rule: PerformanceRule, proposes: str, hit: Hit) -> str:
    """The approval's summary: the rule that asked, what it proposes and why, e.g. "Rule “High CPA”: Pause Brand
    Search. CPA $84.20 over the last 7 days, above $60.00; spend $1,263"."""
    text = _("Rule “%(rule)s”: %(proposes)s. %(figures)s") % {
        "rule": rule.name,
        "proposes": proposes,
        "figures": figures(rule, hit),
    }
    return text if len(text) <= SUMMARY_LENGTH else f"{text[: SUMMARY_LENGTH - 1]}…"
