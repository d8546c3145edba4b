"""Applying an ad platform's own recommendation (Google Ads): filed by Walker's automation only (adplatforms reads the
recommendations at each sync and files one proposal each), never by an agent, so it is kept out of `SPECS` (no LLM
tool, no agent proposes it). Its data carries what Google recommends and Google's own estimate of the impact (a
week's figures before and after, `base_*` and `potential_*`), money in the campaign's currency."""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from agents.action_specs.base import CENT, ID, MONEY, TEXT, ActionSpec, Target, money
from agents.action_specs.campaigns import BUDGET_DAYS, _campaign, budget_cost, budget_stake, budgets, with_currency
from agents.executors.base import ExecutionError
from core import currencies
from core.money import money_exact
from core.sentence import Money, Sentence

APPLY = "apply_recommendation"


class Kind:
    """The recommendation types Walker reads (Google's RecommendationType, in Walker's words)."""

    CAMPAIGN_BUDGET = "campaign_budget"
    KEYWORD = "keyword"
    TARGET_CPA = "target_cpa"
    TARGET_ROAS = "target_roas"
    ALL = (CAMPAIGN_BUDGET, KEYWORD, TARGET_CPA, TARGET_ROAS)


NUMBER = {"type": ["string", "number"], "description": "a decimal number, best as a string"}
# Google's impact estimate: a week's figures now (base) and if the recommendation is applied (potential).
IMPACT = ("cost", "clicks", "conversions")
PROPERTIES = {
    "recommendation_id": ID,
    "campaign_id": ID,
    "campaign_name": TEXT,
    "ad_platform": TEXT,
    "recommendation_kind": {"type": "string", "enum": list(Kind.ALL)},
    "daily_budget": MONEY,
    "previous_daily_budget": MONEY,
    "keyword": TEXT,
    "match_type": TEXT,
    "target_cpa": MONEY,
    "target_roas": NUMBER,
    "base_cost": MONEY,
    "potential_cost": MONEY,
    "base_clicks": NUMBER,
    "potential_clicks": NUMBER,
    "base_conversions": NUMBER,
    "potential_conversions": NUMBER,
}
CONTEXT = ("previous_daily_budget", *(f"{when}_{metric}" for when in ("base", "potential") for metric in IMPACT))


def _number(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _count(value: Decimal) -> str:
    """A count as people read it: whole when it is (Google's figures may be averages, so one decimal otherwise)."""
    shown = value.quantize(Decimal("1")) if value == value.to_integral_value() else value.quantize(Decimal("0.1"))
    return number_format(shown, use_l10n=True, force_grouping=True)


def _names(data) -> dict:
    return {
        "platform": data.get("ad_platform") or gettext_lazy("the ad platform"),
        "campaign": data.get("campaign_name") or gettext_lazy("the campaign"),
    }


def what_it_does(data) -> Sentence:
    """The recommended change in words, money in the campaign's currency (a sentence: told in the reader's
    language when written, or kept in an execution's history)."""
    code, kind, campaign = currencies.of_action(data), data.get("recommendation_kind"), _names(data)["campaign"]
    if kind == Kind.CAMPAIGN_BUDGET:
        new, old = money(data.get("daily_budget")), money(data.get("previous_daily_budget"))
        if new is not None and old is not None:
            sentence = gettext_noop("raise %(campaign)s daily budget from %(old)s to %(new)s")
            if new < old:
                sentence = gettext_noop("lower %(campaign)s daily budget from %(old)s to %(new)s")
            return Sentence(sentence, campaign=campaign, old=Money(old, code), new=Money(new, code))
    if kind == Kind.KEYWORD and data.get("keyword"):
        return Sentence(
            gettext_noop("add the keyword “%(keyword)s” (%(match)s match) to %(campaign)s"),
            campaign=campaign,
            keyword=data["keyword"],
            match=str(data.get("match_type") or "broad").lower(),
        )
    if kind == Kind.TARGET_CPA and (target := money(data.get("target_cpa"))) is not None:
        return Sentence(
            gettext_noop("bid %(campaign)s for a target cost per conversion of %(amount)s"),
            campaign=campaign,
            amount=Money(target, code),
        )
    if kind == Kind.TARGET_ROAS and (roas := _number(data.get("target_roas"))) is not None:
        return Sentence(
            gettext_noop("bid %(campaign)s for a target return on ad spend of %(roas)s"),
            campaign=campaign,
            roas=number_format(roas.quantize(CENT), use_l10n=True),
        )
    return Sentence(gettext_noop("change %(campaign)s as recommended"), campaign=campaign)


def impact_rows(data) -> list[tuple[str, str, str]]:
    """Google's estimate, one row per figure it gave: (what, a week now, a week after)."""
    code, rows = currencies.of_action(data), []
    labels = {
        "cost": _("Cost a week (estimated by %(platform)s)"),
        "clicks": _("Clicks a week (estimated by %(platform)s)"),
        "conversions": _("Conversions a week (estimated by %(platform)s)"),
    }
    for metric in IMPACT:
        base, potential = _number(data.get(f"base_{metric}")), _number(data.get(f"potential_{metric}"))
        if base is None or potential is None:
            continue
        shown = (lambda v: money_exact(v, code)) if metric == "cost" else _count
        rows.append((labels[metric] % _names(data), shown(base), shown(potential)))
    return rows


def describe(data) -> str:
    sentence = _("%(platform)s recommends: %(change)s") % {**_names(data), "change": what_it_does(data)}
    estimate = "; ".join(_("%(what)s %(now)s, then %(after)s") % {"what": what, "now": now, "after": after}
                         for what, now, after in impact_rows(data))  # fmt: skip
    return f"{sentence}. {estimate}." if estimate else f"{sentence}."


def changes(tenant, data) -> list[tuple[str, str, str]]:
    """What approvers see change: the recommended change itself, then Google's estimate of its effect."""
    words = _names(data)
    if data.get("recommendation_kind") == Kind.CAMPAIGN_BUDGET:
        code = currencies.of_action(data)
        old, new = money(data.get("previous_daily_budget")), money(data.get("daily_budget"))
        first = (
            _("%(campaign)s daily budget") % words,
            money_exact(old, code) if old is not None else "—",
            money_exact(new, code) if new is not None else "—",
        )
    else:
        first = (_("%(campaign)s on %(platform)s") % words, _("as it is"), str(what_it_does(data)))
    return [first, *impact_rows(data)]


def cost(data) -> Decimal | None:
    """A budget recommendation: the extra daily budget over the costed days; any other: Google's estimated extra
    cost a week, over the same days (a saving commits nothing)."""
    if data.get("recommendation_kind") == Kind.CAMPAIGN_BUDGET:
        return budget_cost(data)
    base, potential = money(data.get("base_cost")), money(data.get("potential_cost"))
    if base is None or potential is None:
        return None
    return (max(potential - base, Decimal("0")) * BUDGET_DAYS / 7).quantize(CENT)


def stake(data) -> Decimal | None:
    return budget_stake(data) if data.get("recommendation_kind") == Kind.CAMPAIGN_BUDGET else None


def daily_budgets(data) -> tuple[Decimal, Decimal] | None:
    return budgets(data) if data.get("recommendation_kind") == Kind.CAMPAIGN_BUDGET else None


def not_by_the_ledger(tenant, data):
    raise ExecutionError(
        _("A platform's recommendation is applied on that platform only, and %(campaign)s has no connection now")
        % _names(data)
    )


SPECS = [
    ActionSpec(
        action_type=APPLY,
        label=gettext_lazy("Apply an ad platform's recommendation"),
        agents=frozenset(),  # Walker's automation files it (adplatforms.recommendations), never an agent
        properties=PROPERTIES,
        required=("recommendation_id", "campaign_id", "recommendation_kind"),
        check=lambda tenant, data: _campaign(tenant, data)[1],
        execute=not_by_the_ledger,
        describe=describe,
        changes=changes,
        base_risk=15,
        cost=cost,
        cost_rule=format_lazy(
            gettext_lazy(
                "for a budget, the extra daily budget times {days}; otherwise the platform's estimated extra cost a "
                "week, over {days} days"
            ),
            days=BUDGET_DAYS,
        ),
        stake=stake,
        daily_budgets=daily_budgets,
        target=Target("recommendation", ("recommendation_id",)),
        names={"campaign_id": "campaign_name"},
        context=CONTEXT,
        complete=with_currency,
    ),
]
