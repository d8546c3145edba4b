"""What a brief says: figures from the tenant's own rows, a recommendation per section, the reader's approvals.

With an LLM engine, a summary and the recommendations are the engine's, written from the same figures
(briefs.written); the built-in recommendations stand whenever it fails.

Each section reads with a fixed number of queries (aggregates, not a query per campaign), so a brief costs
the same whatever the size of the tenant's data.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import Count, F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agents import formatting as fmt
from agents.models import Campaign
from agents.performance import CurrencyTotals, last_days, totals_by_campaign, totals_by_currency
from agents.read_tools import audience_growth, content_performance, keyword_moves
from briefs import written
from briefs.greeting import greeting
from conversations.models import Channel, Conversation
from hitl.access import reviewers_among
from hitl.links import make_link
from hitl.models import ApprovalStatus, HITLApproval

DAYS = 7
LISTED = 5


@dataclass
class Section:
    title: str
    lines: list[str]
    recommendation: str = ""


@dataclass
class PendingItem:
    reference: str
    summary: str
    approve_url: str
    reject_url: str


@dataclass
class BriefContent:
    greeting: str
    summary: str = ""  # written by the tenant's LLM engine (briefs.written); the built-in brief has none
    sections: list[Section] = field(default_factory=list)
    pending: list[PendingItem] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)


def compose(
    user, tenant, chosen: list[str], now: datetime, shared: dict | None = None, pending=None, decided=None
) -> BriefContent:
    """`shared`: what this run has already read, by tenant: every reader of a tenant reads the same figures
    that morning, so they are read once per tenant, not once per reader. `pending` and `decided`: the reader's
    approvals waiting and those decided since yesterday that the reader may see (from `pending_for` and
    `decided_for`, which read a whole chunk of readers at once); read here if None."""
    shared = {} if shared is None else shared
    brief = BriefContent(greeting=greeting(user, now))
    builders = {
        "campaigns": _campaigns,
        "seo": _seo,
        "content": _content,
        "audiences": _audiences,
        "conversations": lambda tenant: _conversations(tenant, now),
    }
    for name, build in builders.items():
        if name in chosen:
            key = (tenant.pk, name, get_language())  # the same figures, in each reader's language
            brief.sections.append(_once(shared, key, lambda build=build: build(tenant)))
    if brief.sections:
        _in_engines_words(brief, [name for name in builders if name in chosen], tenant, shared)
    if "approvals" in chosen:
        waiting = pending_for([user.pk]).get(user.pk, []) if pending is None else pending
        brief.pending = [
            PendingItem(a.reference, a.summary, make_link(a, user, "approve"), make_link(a, user, "reject"))
            for a in waiting[:LISTED]
        ]
        decided = decided_for([user], now, shared)[user.pk] if decided is None else decided
        brief.decided = [f"{a.reference} {a.get_status_display().lower()}: {a.summary}" for a in decided]
    return brief


def _in_engines_words(brief: BriefContent, names: list[str], tenant, shared: dict) -> None:
    """The summary and recommendations as the tenant's LLM engine wrote them from these sections' figures, asked
    once per tenant, language and choice of sections in a run (a failure too); the built-in text otherwise."""
    key = (tenant.pk, "written", get_language(), tuple(names))
    text = _once(shared, key, lambda: written.write(tenant, dict(zip(names, brief.sections, strict=True))))
    if text is None:
        return
    brief.summary = text.summary
    brief.sections = [  # new sections: the ones kept for the run's other readers stay as they were
        replace(section, recommendation=text.recommendations.get(name, section.recommendation))
        for name, section in zip(names, brief.sections, strict=True)
    ]


def pending_for(user_ids: list) -> dict:
    """Each reader's approvals waiting for their decision, most urgent first: {user id: [approval, …]}."""
    assignments = (
        HITLApproval.assignees.through.objects.filter(
            user_id__in=user_ids,
            hitlapproval__status=ApprovalStatus.PENDING,
            hitlapproval__tenant_id=F("user__tenant_id"),
        )
        .select_related("hitlapproval")
        .order_by("hitlapproval__sla_deadline", "hitlapproval_id")
    )
    waiting = defaultdict(list)
    for assignment in assignments:
        waiting[assignment.user_id].append(assignment.hitlapproval)
    return waiting


def decided_for(readers: list, now: datetime, shared: dict) -> dict:
    """What each reader may see of the approvals decided since yesterday (hitl.access): {user id: [approval, …]}.
    Reviewers see their tenant's, read once per tenant and run; anyone else only the requests they made, read
    for the whole chunk at once."""
    since = now - timedelta(days=1)
    reviewers = reviewers_among([reader.pk for reader in readers])
    own = defaultdict(list)
    askers = [reader.pk for reader in readers if reader.pk not in reviewers]
    if askers:
        for approval in _decided_since(since).filter(
            requested_by_id__in=askers, tenant_id=F("requested_by__tenant_id")
        ):
            own[approval.requested_by_id].append(approval)
    decided = {}
    for reader in readers:
        if reader.pk in reviewers:
            decided[reader.pk] = _once(
                shared,
                (reader.tenant_id, "decided"),
                lambda tenant_id=reader.tenant_id: list(_decided_since(since).filter(tenant_id=tenant_id)[:LISTED]),
            )
        else:
            decided[reader.pk] = own[reader.pk][:LISTED]
    return decided


def _decided_since(since: datetime):
    return (
        HITLApproval.objects.filter(resolved_at__gte=since)
        .exclude(status=ApprovalStatus.PENDING)
        .order_by("-resolved_at")
    )


def _once(shared: dict, key, build):
    if key not in shared:
        shared[key] = build()
    return shared[key]


def _versus(change: str) -> str:
    """A change against the week before, or words saying there is none to compare with."""
    return _("no earlier figure") if change == fmt.not_available() else change


def _paid_figures(t: CurrencyTotals) -> dict:
    now, then, code = t.current, t.previous, t.currency
    return {
        "spend": fmt.money(now.spend, code),
        "spend_change": _versus(fmt.change_percent(now.spend, then.spend)),
        "cpa": fmt.money(now.cpa, code) if now.cpa is not None else _("none (no conversions)"),
        "cpa_change": _versus(fmt.change_percent(now.cpa, then.cpa)),
        "roas": fmt.times(now.roas),
        "roas_change": _versus(fmt.change_absolute(now.roas, then.roas, "0.1", "x")),
        "days": DAYS,
    }


def _campaigns(tenant) -> Section:
    current, previous = last_days(tenant, DAYS)
    per_currency = [t for t in totals_by_currency(tenant, current, previous) if t.current.spend]
    if not per_currency:
        return Section(_("Paid ads"), [_("No ad spend in the last %(days)s days.") % {"days": DAYS}])
    if len(per_currency) == 1:
        lines = [
            _(
                "Spend %(spend)s (%(spend_change)s), CPA %(cpa)s (%(cpa_change)s), ROAS %(roas)s (%(roas_change)s) "
                "over the last %(days)s days."
            )
            % _paid_figures(per_currency[0])
        ]
    else:  # money is never added across currencies: each has its own figures
        lines = [
            _("Over the last %(days)s days, per currency (amounts in different currencies are not added up):")
            % {"days": DAYS}
        ]
        lines += [
            _(
                "In %(currency)s: spend %(spend)s (%(spend_change)s), CPA %(cpa)s (%(cpa_change)s), "
                "ROAS %(roas)s (%(roas_change)s)."
            )
            % {"currency": t.currency, **_paid_figures(t)}
            for t in per_currency
        ]
    by_campaign = totals_by_campaign(tenant, current)
    names = dict(Campaign.objects.for_tenant(tenant).filter(pk__in=by_campaign).values_list("pk", "name"))
    ranked = sorted(
        ((t.roas, names[pk]) for pk, t in by_campaign.items() if t.spend and pk in names), key=lambda r: (-r[0], r[1])
    )
    recommendation = ""
    if len(ranked) > 1:
        (top_roas, top), (low_roas, low) = ranked[0], ranked[-1]
        names = {"top": top, "top_roas": fmt.times(top_roas), "low": low, "low_roas": fmt.times(low_roas)}
        lines.append(_("Top: %(top)s (%(top_roas)s ROAS). Bottom: %(low)s (%(low_roas)s).") % names)
        recommendation = _("Move budget from %(low)s towards %(top)s.") % names
    return Section(_("Paid ads"), lines, recommendation)


def _seo(tenant) -> Section:
    moves = keyword_moves(tenant, {"days": DAYS})
    gained = [f"{m['keyword']} (+{m['change']})" for m in moves["gained"][:LISTED]]
    lost = [f"{m['keyword']} ({m['change']})" for m in moves["lost"][:LISTED]]
    lines = [
        _("Gained: %(keywords)s.") % {"keywords": ", ".join(gained) or _("none")},
        _("Lost: %(keywords)s.") % {"keywords": ", ".join(lost) or _("none")},
    ]
    tip = _("Refresh the page ranking for “%(keyword)s”.") % {"keyword": moves["lost"][0]["keyword"]} if lost else ""
    return Section(_("SEO"), lines, tip)


def _content(tenant) -> Section:
    pieces = content_performance(tenant, {"days": 30})
    best = [
        _("%(title)s (%(views)s views)") % {"title": p["title"], "views": fmt.number(p["views"])}
        for p in pieces["best"][:3]
    ]
    lines = [_("Best: %(pieces)s.") % {"pieces": ", ".join(best) or _("nothing published in the last 30 days")}]
    lines.append(_("Drafts waiting: %(count)s.") % {"count": len(pieces["drafts"])})
    tip = _("Publish “%(title)s”.") % {"title": pieces["drafts"][0]["title"]} if pieces["drafts"] else ""
    return Section(_("Content"), lines, tip)


def _audiences(tenant) -> Section:
    segments = [s for s in audience_growth(tenant, {"limit": 3})["segments"] if float(s["weekly_growth_percent"]) > 0]
    lines = [
        _("%(name)s: %(size)s people, +%(growth)s%% this week")
        % {"name": s["name"], "size": fmt.number(s["size"]), "growth": s["weekly_growth_percent"]}
        for s in segments
    ]
    tip = _("Build a lookalike of %(name)s.") % {"name": segments[0]["name"]} if segments else ""
    return Section(_("Audiences"), lines or [_("No segment grew this week.")], tip)


def _conversations(tenant, now) -> Section:
    week, fortnight = now - timedelta(days=DAYS), now - timedelta(days=2 * DAYS)
    this_week = Q(started_at__gte=week)
    figures = Conversation.objects.filter(tenant=tenant, started_at__gte=fortnight).aggregate(
        now=Count("pk", filter=this_week),
        then=Count("pk", filter=~this_week),
        **{channel: Count("pk", filter=this_week & Q(channel=channel)) for channel in Channel.values},
    )
    waiting = Conversation.objects.filter(tenant=tenant, status=Conversation.Status.WAITING_APPROVAL).count()
    if not figures["now"] and not waiting:
        return Section(_("Conversations"), [_("No new conversations in the last %(days)s days.") % {"days": DAYS}])
    by_channel = ", ".join(
        f"{fmt.number(figures[value])} {str(label).lower()}" for value, label in Channel.choices if figures[value]
    )
    counts = {"count": fmt.number(figures["now"]), "days": DAYS}
    counts["change"] = _versus(fmt.change_percent(figures["now"], figures["then"]))
    line = _("%(count)s new in the last %(days)s days (%(change)s)") % counts
    lines = [f"{line}: {by_channel}." if by_channel else f"{line}."]
    tip = ""
    if waiting:
        lines.append(_("%(count)s waiting for an approval.") % {"count": fmt.number(waiting)})
        tip = _("Clear the approval queue: those people are waiting for an answer.")
    return Section(_("Conversations"), lines, tip)
