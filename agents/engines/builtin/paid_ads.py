"""Paid Ads: campaign performance (last 7 days against the 7 before) and budget, pause and resume proposals."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agents import formatting as fmt
from agents.action_specs.campaigns import BUDGET_DAYS, extra_spend
from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities, period_days, period_label, which_one
from agents.engines.builtin.parsing import clean_phrase
from agents.models import Campaign, CampaignDailyStat
from agents.performance import (
    SUMS,
    Totals,
    freshness,
    last_days,
    totals,
    totals_by_campaign,
    totals_by_currency,
    totals_of,
    totals_then_and_now,
)
from agents.understanding import Understanding
from agents.understanding.amounts import budget_change
from agents.understanding.text import fold

FILLER = frozenset({"the", "my", "our", "campaign", "campaigns", "ad", "ads"})
GENERIC = frozenset(
    {"", "all", "everything", "it", "them", "things", "each", "every", "overall", "we", "us", "you", "i"}
)
DAYS = 7
EXACT_CONFIDENCE, FUZZY_CONFIDENCE = 0.9, 0.7

SUPERLATIVE = re.compile(
    r"\b(best|worst|top|bottom|highest|lowest|most|least|fewest|biggest|largest|smallest|cheapest|priciest)\b", re.I
)
HIGH_WORDS, LOW_WORDS = {"highest", "most", "biggest", "largest", "priciest"}, {"lowest", "least", "fewest", "smallest"}
# The metrics a superlative can be about; "worst campaign" alone means the highest cost per acquisition.
METRIC_WORDS = [
    ("cpa", re.compile(r"\b(cpa|(?:cost )?per (?:acquisition|conversion|sale|customer))\b", re.I)),
    ("roas", re.compile(r"\b(roas|return on ad spend|return)\b", re.I)),
    ("ctr", re.compile(r"\b(ctr|click[- ]?through(?: rate)?)\b", re.I)),
    ("conversions", re.compile(r"\b(conversions?|sales)\b", re.I)),
    ("spend", re.compile(r"\b(spend|spent|spending|costs? the most|costliest)\b", re.I)),
]
LOWER_IS_BETTER = {"cpa"}
# Amounts of money: compared only between campaigns counted in the same currency (ratios and counts compare anywhere).
MONEY_METRICS = {"cpa", "spend"}
METRIC_LABELS = {
    "cpa": "CPA",
    "roas": "ROAS",
    "ctr": "CTR",
    "conversions": gettext_lazy("conversions"),
    "spend": gettext_lazy("spend"),
}
# The superlative as the reply repeats it ("has the highest CTR").
WANTED_WORDS = {
    "best": gettext_lazy("best"),
    "worst": gettext_lazy("worst"),
    "top": gettext_lazy("top"),
    "bottom": gettext_lazy("bottom"),
    "highest": gettext_lazy("highest"),
    "lowest": gettext_lazy("lowest"),
    "most": gettext_lazy("most"),
    "least": gettext_lazy("least"),
    "fewest": gettext_lazy("fewest"),
    "biggest": gettext_lazy("biggest"),
    "largest": gettext_lazy("largest"),
    "smallest": gettext_lazy("smallest"),
    "cheapest": gettext_lazy("cheapest"),
    "priciest": gettext_lazy("priciest"),
}
# Where a campaign name sits in the usual phrasings, to quote it back when it matches nothing.
NAME_SLOTS = [
    re.compile(r"^\W*(?:please\s+)?(?:pause|stop|halt|resume|restart|unpause|reactivate)\s+(.+?)\W*$", re.I),
    re.compile(r"\b(?:turn|switch|put)\s+(.+?)\s+back on\b", re.I),
    re.compile(
        r"\b(?:raise|increase|bump|boost|cut|lower|reduce|decrease|trim|set|change|adjust)\s+(.+?)\s+budget\b", re.I
    ),
    re.compile(r"\bbudget\s+(?:for|of|on)\s+(.+?)\s+(?:to|by)\b", re.I),
    re.compile(r"\bhow\s+(?:is|was|are)\s+(.+?)\s+(?:doing|performing|going)\b", re.I),
    re.compile(r"\b(?:stats|numbers|performance|results|report)\s+(?:for|of|on)\s+(.+?)\W*$", re.I),
]


def respond(request: EngineRequest, understood: Understanding) -> EngineReply:
    text = request.text.strip()
    intent = understood.intent
    if intent in ("greeting", "thanks", "help") or not text:
        return capabilities(request, understood)
    campaigns = understood.catalogue.campaigns()  # the rows the message was read against
    if understood.ambiguous:
        return which_one(understood.ambiguous)
    by_name = {c.name: c for c in campaigns}
    days = period_days(text) or DAYS
    campaign = by_name.get(understood.name("campaign"))
    exact = campaign is not None and understood.entity.exact and not understood.from_context
    confidence = EXACT_CONFIDENCE if exact else FUZZY_CONFIDENCE
    wanted = ACTIONS.get(intent)
    if wanted is not None:
        if campaign is None and (standout := _standout(request.tenant, campaigns, text, days, understood)):
            if standout.campaign is None:  # money ranked per currency: one campaign in each
                return EngineReply(_which_leader(standout, days))
            campaign = standout.campaign
        if campaign is None:
            return _which_campaign(text, campaigns, understood.slots.get("unknown_name"))
        return wanted(request.tenant, campaign, _without_name(text, understood), confidence)
    if campaign is not None and intent in ("campaign_report", "campaign_ranking", "unknown"):
        return EngineReply(_report(request.tenant, campaign, days))
    if intent in ("campaign_ranking", "campaign_report", "campaign_overview"):
        if standout := _standout(request.tenant, campaigns, text, days, understood):
            return EngineReply(_standout_answer(standout, days))
        if intent == "campaign_overview":
            return EngineReply(_overview(request.tenant, campaigns, days))
        return EngineReply(_ranking(request.tenant, campaigns, days))
    if _spoken_name(text):
        return _which_campaign(text, campaigns)
    return capabilities(request, understood)


def _without_name(text: str, understood: Understanding) -> str:
    """The message without the campaign's name, so digits in a name ("Sale 2025") are not the amount."""
    said = fold(text).split()
    if understood.entity is not None and not understood.from_context:
        said = said[: understood.entity.start] + said[understood.entity.end :]
    return " ".join(said)


def _spoken_name(text: str) -> str:
    for slot in NAME_SLOTS:
        if match := slot.search(text):
            name = clean_phrase(match.group(1), FILLER | {"please", "a", "an"})
            if name.lower() not in GENERIC:
                return name
    return ""


def _which_campaign(text: str, campaigns, unknown_name: str | None = None) -> EngineReply:
    """No campaign of the tenant's was named: the one said that matches none ("the Moon Landing campaign") is said
    back with the real ones, else the person is asked which."""
    if not campaigns:
        return EngineReply(_("You don't have any campaigns yet."))
    names = fmt.name_list(c.name for c in campaigns)
    if spoken := unknown_name or _spoken_name(text):
        return EngineReply(  # a misreading as likely as a missing campaign: no use as a suggestion
            _("I can't find a campaign called %(name)s. Your campaigns: %(names)s.") % {"name": spoken, "names": names},
            understood=False,
        )
    return EngineReply(_("Which campaign do you mean? Your campaigns: %(names)s.") % {"names": names})


def _metrics(current: Totals, previous: Totals, currency: str) -> str:
    cpa = fmt.money(current.cpa, currency) if current.cpa is not None else fmt.not_available()
    return _(
        "spend %(spend)s (%(spend_change)s), CTR %(ctr)s (%(ctr_change)s), CPA %(cpa)s (%(cpa_change)s), "
        "ROAS %(roas)s (%(roas_change)s)"
    ) % {
        "spend": fmt.money(current.spend, currency),
        "spend_change": fmt.change_percent(current.spend, previous.spend),
        "ctr": fmt.percent(current.ctr),
        "ctr_change": fmt.change_absolute(current.ctr, previous.ctr, "0.1", _(" pt")),
        "cpa": cpa,
        "cpa_change": fmt.change_percent(current.cpa, previous.cpa),
        "roas": fmt.times(current.roas),
        "roas_change": fmt.change_absolute(current.roas, previous.roas, "0.1", "x"),
    }


def _in(days: int) -> str:
    return _("yesterday") if days == 1 else _("in the last %(days)s days") % {"days": days}


# The ad platforms' own names, as people know them (Campaign.Platform's labels are shorter).
PLATFORM_NAMES = {Campaign.Platform.GOOGLE: "Google Ads", Campaign.Platform.META: "Meta Ads"}


def _as_of(tenant, campaigns) -> str:
    """ " Figures as of 10:05, from Google Ads." for synced campaigns, in the tenant's zone; "" for figures kept in
    Walker."""
    fresh = freshness(campaigns)
    if fresh is None:
        return ""
    zone = ZoneInfo(tenant.timezone)
    local = timezone.localtime(fresh.at, zone)
    when = (
        time_format(local, "H:i")
        if local.date() == timezone.localdate(timezone=zone)
        else date_format(local, "j M H:i")
    )
    sources = _(" and ").join(PLATFORM_NAMES.get(p, p) for p in fresh.platforms)
    return " " + _("Figures as of %(when)s, from %(sources)s.") % {"when": when, "sources": sources}


def _report(tenant, campaign, days: int = DAYS) -> str:
    current_window, previous_window = last_days(tenant, days)
    current, previous = totals_then_and_now(tenant, current_window, previous_window, campaign)
    budget = fmt.money_exact(campaign.daily_budget, campaign.currency)
    status = _("%(status)s on %(platform)s, budget %(budget)s/day.") % {
        "status": campaign.get_status_display(),
        "platform": campaign.get_platform_display(),
        "budget": budget,
    }
    if not current.spend and not current.impressions:
        return _("%(name)s had no spend or impressions %(when)s. %(status)s") % {
            "name": campaign.name,
            "when": _in(days),
            "status": status,
        } + _as_of(tenant, [campaign])
    return _("%(name)s, %(period)s: %(metrics)s.\n%(conversions)s conversions, %(revenue)s revenue. %(status)s") % {
        "name": campaign.name,
        "period": period_label(days),
        "metrics": _metrics(current, previous, campaign.currency),
        "conversions": fmt.number(current.conversions),
        "revenue": fmt.money(current.revenue, campaign.currency),
        "status": status,
    } + _as_of(tenant, [campaign])


def _ranked(tenant, campaigns, days: int = DAYS) -> tuple[list, list]:
    """(campaign, totals) by ROAS, best first, for campaigns that spent; and the names of those that did not."""
    window, _previous = last_days(tenant, days)
    by_id = totals_by_campaign(tenant, window)
    spent = [(c, by_id[c.id]) for c in campaigns if c.id in by_id and by_id[c.id].spend]
    spent.sort(key=lambda pair: (-pair[1].roas, pair[0].name))
    ranked_ids = {c.id for c, _ in spent}
    return spent, [c.name for c in campaigns if c.id not in ranked_ids]


def _overview(tenant, campaigns, days: int = DAYS) -> str:
    if not campaigns:
        return _("You don't have any campaigns yet.")
    current_window, previous_window = last_days(tenant, days)
    per_currency = totals_by_currency(tenant, current_window, previous_window)
    active = sum(c.status == Campaign.Status.ACTIVE for c in campaigns)
    if not any(t.current.spend or t.current.impressions for t in per_currency):
        return _("None of your %(count)s campaigns spent anything %(when)s (%(active)s active).") % {
            "count": len(campaigns),
            "when": _in(days),
            "active": active,
        }
    period = period_label(days)
    if len(per_currency) == 1:
        [only] = per_currency
        metrics = _metrics(only.current, only.previous, only.currency)
        lines = [_("All campaigns, %(period)s: %(metrics)s.") % {"period": period, "metrics": metrics}]
    else:
        lines = [_("All campaigns, %(period)s, per currency (amounts in different currencies are not added up):")
                 % {"period": period}]  # fmt: skip
        lines += [
            _("In %(currency)s: %(metrics)s.")
            % {"currency": t.currency, "metrics": _metrics(t.current, t.previous, t.currency)}
            for t in per_currency
        ]
    ranked, _idle = _ranked(tenant, campaigns, days)
    if len(ranked) > 1:
        (best, best_t), (worst, worst_t) = ranked[0], ranked[-1]
        lines.append(
            _("Best ROAS: %(best)s %(best_roas)s. Worst: %(worst)s %(worst_roas)s.")
            % {
                "best": best.name,
                "best_roas": fmt.times(best_t.roas),
                "worst": worst.name,
                "worst_roas": fmt.times(worst_t.roas),
            }
        )
    lines.append(
        ngettext("%(count)s campaign, %(active)s active.", "%(count)s campaigns, %(active)s active.", len(campaigns))
        % {"count": len(campaigns), "active": active}
        + _as_of(tenant, campaigns)
    )
    return "\n".join(lines)


@dataclass
class Standout:
    """The campaign a superlative names ("the worst campaign", "the highest CTR"), with the ranking behind it.
    An amount of money (CPA, spend) is ranked within each currency: then each currency has its own leader."""

    metric: str
    wanted: str  # best | worst | highest | lowest
    rankings: list  # per currency for money across currencies, else one: [(campaign, value)], the leader first

    @property
    def campaign(self) -> Campaign | None:
        """The one campaign named; None when money was ranked in several currencies (each has a leader)."""
        return self.rankings[0][0][0] if len(self.rankings) == 1 else None


def _metric_value(metric: str, t: Totals):
    return {
        "cpa": t.cpa,
        "roas": t.roas,
        "ctr": t.ctr,
        "conversions": t.conversions,
        "spend": t.spend,
    }[metric]


def _standout(tenant, campaigns, text: str, days: int, understood: Understanding) -> Standout | None:
    """The campaign a superlative points at ("the worst CPA", "la peor"), from the period's figures; None
    without one. The metric is the one asked now, else the one asked before ("pause the worst one"), else CPA,
    or ROAS when the campaigns are counted in different currencies (a CPA in yen does not compare with one in
    dollars; a ROAS does)."""
    said = SUPERLATIVE.search(text)
    word = said.group(1).lower() if said else understood.slots.get("superlative")
    if word is None:
        return None
    window, _previous = last_days(tenant, days)
    by_id = totals_by_campaign(tenant, window)
    counted = [c for c in campaigns if c.id in by_id]
    metric = next((name for name, pattern in METRIC_WORDS if pattern.search(text)), None)
    metric = metric or understood.slots.get("metric") or ("cpa" if len(_currencies(counted)) <= 1 else "roas")
    if word in HIGH_WORDS:
        high_first = True
    elif word in LOW_WORDS or word == "cheapest":
        high_first = False
    else:  # best/top or worst/bottom: which end is good depends on the metric
        best = word in ("best", "top")
        high_first = best != (metric in LOWER_IS_BETTER)
    valued = [(c, _metric_value(metric, by_id[c.id])) for c in counted]
    valued = [(c, v) for c, v in valued if v is not None]
    if not valued:
        return None
    groups = [valued]
    if metric in MONEY_METRICS:
        groups = [[(c, v) for c, v in valued if c.currency == code] for code in _currencies(c for c, _v in valued)]
    for group in groups:
        group.sort(key=lambda pair: (pair[1], pair[0].name), reverse=high_first)
    return Standout(metric, word, groups)


def _currencies(campaigns) -> list[str]:
    """The currencies `campaigns` are counted in, by code."""
    return sorted({c.currency for c in campaigns})


def _shown(metric: str, value, currency: str) -> str:
    if metric in MONEY_METRICS:
        return fmt.money(value, currency)
    if metric == "roas":
        return fmt.times(value)
    if metric == "ctr":
        return fmt.percent(value)
    return fmt.number(value)


def _standout_answer(standout: Standout, days: int = DAYS) -> str:
    label = METRIC_LABELS[standout.metric]
    wanted = WANTED_WORDS.get(standout.wanted, standout.wanted)
    if standout.campaign is None:
        return _per_currency_answer(standout, label, wanted, days)
    [ranked] = standout.rankings
    first, value = ranked[0]
    lines = [
        _("%(name)s has the %(wanted)s %(metric)s: %(value)s %(when)s.")
        % {
            "name": first.name,
            "wanted": wanted,
            "metric": label,
            "value": _shown(standout.metric, value, first.currency),
            "when": _in(days),
        }
    ]
    if len(ranked) > 1:
        lines.append(_("By %(metric)s:") % {"metric": label})
        lines += [f"{n}. {c.name} {_shown(standout.metric, v, c.currency)}" for n, (c, v) in enumerate(ranked[:8], 1)]
    return "\n".join(lines)


def _per_currency_answer(standout: Standout, label, wanted, days: int) -> str:
    """Money ranked within each currency: each currency's leader, then its ranking."""
    lines = [
        _("%(metric)s is counted in each campaign's own currency, so each currency is ranked on its own, %(when)s:")
        % {"metric": label, "when": _in(days)}
    ]
    for ranked in standout.rankings:
        first, value = ranked[0]
        lines.append(
            _("In %(currency)s, %(name)s has the %(wanted)s %(metric)s: %(value)s.")
            % {
                "currency": first.currency,
                "name": first.name,
                "wanted": wanted,
                "metric": label,
                "value": _shown(standout.metric, value, first.currency),
            }
        )
        if len(ranked) > 1:
            lines += [
                f"{n}. {c.name} {_shown(standout.metric, v, c.currency)}" for n, (c, v) in enumerate(ranked[:5], 1)
            ]
    return "\n".join(lines)


def _which_leader(standout: Standout, days: int) -> str:
    """An action on "the campaign with the highest CPA" when each currency has its own: ask which one."""
    leaders = [
        _("%(name)s (%(value)s, in %(currency)s)")
        % {"name": c.name, "value": _shown(standout.metric, v, c.currency), "currency": c.currency}
        for c, v in (ranked[0] for ranked in standout.rankings)
    ]
    return _(
        "Your campaigns are counted in different currencies, so their %(metric)s does not compare: "
        "the %(wanted)s %(when)s are %(leaders)s. Which one do you mean?"
    ) % {
        "metric": METRIC_LABELS[standout.metric],
        "wanted": WANTED_WORDS.get(standout.wanted, standout.wanted),
        "when": _in(days),
        "leaders": _(" and ").join(leaders),
    }


def _ranking(tenant, campaigns, days: int = DAYS) -> str:
    ranked, idle = _ranked(tenant, campaigns, days)
    if not ranked:
        return _("None of your campaigns spent anything %(when)s.") % {"when": _in(days)}
    (best, best_t), (worst, worst_t) = ranked[0], ranked[-1]
    lines = [
        _("Best: %(best)s (%(best_roas)s ROAS). Worst: %(worst)s (%(worst_roas)s).")
        % {
            "best": best.name,
            "best_roas": fmt.times(best_t.roas),
            "worst": worst.name,
            "worst_roas": fmt.times(worst_t.roas),
        }
    ]
    lines.append(_("By ROAS, %(period)s:") % {"period": period_label(days)})
    for place, (campaign, t) in enumerate(ranked[:8], start=1):
        lines.append(
            _("%(place)s. %(name)s %(roas)s (spend %(spend)s)")
            % {
                "place": place,
                "name": campaign.name,
                "roas": fmt.times(t.roas),
                "spend": fmt.money(t.spend, campaign.currency),
            }
        )
    if idle:
        lines.append(_("No spend: %(names)s.") % {"names": fmt.name_list(idle)})
    return "\n".join(lines)


def _impressions_per_dollar(tenant, campaign, fall_back_to_history: bool = False) -> Decimal | None:
    """Impressions bought per dollar over the last 7 days; for a paused campaign (`fall_back_to_history`),
    over its 7 most recent days with spend, since its last week is empty by design."""
    window, _previous = last_days(tenant, DAYS)
    rate = totals(tenant, window, campaign).impressions_per_dollar
    if rate is None and fall_back_to_history:
        recent = CampaignDailyStat.objects.for_tenant(tenant).filter(campaign=campaign, spend__gt=0).order_by("-date")
        rows = list(recent.values("spend", "impressions", "clicks", "conversions", "revenue")[:DAYS])
        rate = totals_of({key: sum(row[key] for row in rows) for key in SUMS}).impressions_per_dollar
    return rate


def _reach(daily_amount: Decimal, rate: Decimal | None) -> int:
    if not rate or daily_amount <= 0:
        return 0
    return int((daily_amount * BUDGET_DAYS * rate).to_integral_value(ROUND_HALF_UP))


def _ids(campaign) -> dict:
    return {"campaign_id": str(campaign.id), "campaign_name": campaign.name}


def _pause(tenant, campaign, text: str, confidence: float) -> EngineReply:
    if campaign.status == Campaign.Status.PAUSED:
        return EngineReply(_("%(name)s is already paused.") % {"name": campaign.name})
    window, _previous = last_days(tenant, DAYS)
    spent = totals(tenant, window, campaign)
    action = ProposedAction(
        action_type=ActionType.PAUSE_CAMPAIGN,
        action_data=_ids(campaign),
        summary=_("Pause %(name)s") % {"name": campaign.name},
        estimated_cost=Decimal("0.00"),
        estimated_reach=0,
        confidence=confidence,
    )
    return EngineReply(
        _("Proposed: pause %(name)s. It spent %(spend)s in the last %(days)s days (ROAS %(roas)s). %(note)s")
        % {
            "name": campaign.name,
            "spend": fmt.money(spent.spend, campaign.currency),
            "days": DAYS,
            "roas": fmt.times(spent.roas),
            "note": APPROVAL_NOTE,
        },
        [action],
    )


def _resume(tenant, campaign, text: str, confidence: float) -> EngineReply:
    if campaign.status == Campaign.Status.ACTIVE:
        return EngineReply(
            _("%(name)s is already running, at %(budget)s/day.")
            % {"name": campaign.name, "budget": fmt.money_exact(campaign.daily_budget, campaign.currency)}
        )
    budget, currency = campaign.daily_budget, campaign.currency
    cost = extra_spend(budget)
    action = ProposedAction(
        action_type=ActionType.RESUME_CAMPAIGN,
        action_data=_ids(campaign),
        summary=_("Resume %(name)s at %(budget)s/day")
        % {"name": campaign.name, "budget": fmt.money_exact(budget, currency)},
        estimated_cost=cost,
        estimated_reach=_reach(budget, _impressions_per_dollar(tenant, campaign, fall_back_to_history=True)),
        confidence=confidence,
    )
    return EngineReply(
        _("Proposed: resume %(name)s at %(budget)s/day, up to %(cost)s over %(days)s days. %(note)s")
        % {
            "name": campaign.name,
            "budget": fmt.money_exact(budget, currency),
            "cost": fmt.money(cost, currency),
            "days": BUDGET_DAYS,
            "note": APPROVAL_NOTE,
        },
        [action],
    )


def _new_budget(text: str, campaign) -> Decimal | str:
    """The requested daily budget, or a sentence saying why none can be read."""
    change = budget_change(text)
    if change is not None and change.weekly:
        return _("Budgets here are daily: tell me the amount per day, e.g. 'set the budget to $700 a day'.")
    if change is None:
        return _("What should the new daily budget be? E.g. 'raise it to $700 a day' or 'cut it by 10%'.")
    new = change.applied_to(campaign.daily_budget)
    if new is None:
        return _("Should the budget go up or down? E.g. 'increase it by 20%' or 'cut it by $100'.")
    if change.kind == "absolute" and change.direction * (new - campaign.daily_budget) < 0:
        return _the_other_way(campaign, new, change.direction)
    return new


def _the_other_way(campaign, new: Decimal, said: int) -> str:
    """ "Raise it to" an amount below today's budget (or "lower it to" one above): asked back, never proposed the
    other way round."""
    amounts = {
        "name": campaign.name,
        "old": fmt.money_exact(campaign.daily_budget, campaign.currency),
        "new": fmt.money_exact(new, campaign.currency),
    }
    if said > 0:
        return (
            _(
                "%(name)s's daily budget is %(old)s now, so to raise it to %(new)s would lower it. To lower it, say "
                "'lower it to %(new)s'; to add that much, say 'raise it by %(new)s'."
            )
            % amounts
        )
    return (
        _(
            "%(name)s's daily budget is %(old)s now, so to lower it to %(new)s would raise it. To raise it, say "
            "'raise it to %(new)s'."
        )
        % amounts
    )


def _budget(tenant, campaign, text: str, confidence: float) -> EngineReply:
    new = _new_budget(text, campaign)
    if isinstance(new, str):
        return EngineReply(new)
    return propose_budget(tenant, campaign, new, confidence)


def cheaper_budget(campaign, asked: Decimal, note: str) -> Decimal:
    """An approver's note on a budget proposal: the amount it names ("set it to $600 a day"), else a cheaper one
    than asked: half the raise (rounded to a whole unit), or a cut deeper by a tenth."""
    named = budget_change(note)
    if named is not None and not named.weekly and (amount := named.applied_to(campaign.daily_budget)) is not None:
        return amount
    old = campaign.daily_budget
    if asked > old:
        return (old + (asked - old) / 2).quantize(Decimal("1"), ROUND_HALF_UP)
    return (asked * Decimal("0.9")).quantize(Decimal("1"), ROUND_HALF_UP)


def propose_budget(tenant, campaign, new: Decimal, confidence: float) -> EngineReply:
    """The proposal to set `campaign`'s daily budget to `new`, with what it costs or saves."""
    old, currency = campaign.daily_budget, campaign.currency
    if new <= 0:
        return EngineReply(
            _(
                "A daily budget has to be more than %(zero)s (%(amount)s requested). "
                "To stop spending, ask me to pause %(name)s."
            )
            % {
                "zero": fmt.money(Decimal(0), currency),
                "amount": fmt.money_exact(new, currency),
                "name": campaign.name,
            }
        )
    if new == old:
        return EngineReply(
            _("%(name)s's daily budget is already %(budget)s.")
            % {"name": campaign.name, "budget": fmt.money_exact(old, currency)}
        )
    extra = max(new - old, Decimal("0"))
    cost = extra_spend(extra)
    reach = _reach(extra, _impressions_per_dollar(tenant, campaign))
    amounts = {"name": campaign.name, "old": fmt.money_exact(old, currency), "new": fmt.money_exact(new, currency)}
    if new > old:
        summary = _("Raise %(name)s daily budget from %(old)s to %(new)s") % amounts
    else:
        summary = _("Lower %(name)s daily budget from %(old)s to %(new)s") % amounts
    action = ProposedAction(
        action_type=ActionType.SET_BUDGET,
        action_data={
            **_ids(campaign),
            "daily_budget": str(new),
            "previous_daily_budget": str(old.quantize(Decimal("0.01"))),
        },
        summary=summary,
        estimated_cost=cost,
        estimated_reach=reach,
        confidence=confidence,
    )
    if new > old:
        more = {"cost": fmt.money(cost, currency), "days": BUDGET_DAYS, "reach": fmt.number(reach)}
        if reach:
            impact = _("Up to %(cost)s more over %(days)s days, about %(reach)s more impressions.") % more
        else:
            impact = _("Up to %(cost)s more over %(days)s days.") % more
    else:
        impact = _("Saves up to %(saving)s over %(days)s days.") % {
            "saving": fmt.money(extra_spend(old - new), currency),
            "days": BUDGET_DAYS,
        }
    if campaign.status == Campaign.Status.PAUSED:
        impact += " " + _("%(name)s is paused, so nothing is spent until it is resumed.") % {"name": campaign.name}
    return EngineReply(
        _("Proposed: %(summary)s. %(impact)s %(note)s") % {"summary": summary, "impact": impact, "note": APPROVAL_NOTE},
        [action],
    )


ACTIONS = {
    ActionType.RESUME_CAMPAIGN: _resume,
    ActionType.PAUSE_CAMPAIGN: _pause,
    ActionType.SET_BUDGET: _budget,
}
