"""What a brief says: figures from the tenant's own rows, a recommendation per section, the reader's approvals.

Each section reads with a fixed number of queries (aggregates, not a query per campaign), so a brief costs
the same whatever the size of the tenant's data.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agents.engines.builtin import formatting as fmt
from agents.engines.builtin.common import last_days
from agents.engines.builtin.paid_ads import totals_by_campaign, totals_then_and_now
from agents.models import Campaign
from agents.read_tools import audience_growth, content_performance, keyword_moves
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
    sections: list[Section] = field(default_factory=list)
    pending: list[PendingItem] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)


def compose(user, tenant, chosen: list[str], now: datetime) -> BriefContent:
    brief = BriefContent(greeting=f"Good morning{', ' + user.first_name if user.first_name else ''}.")
    builders = {"campaigns": _campaigns, "seo": _seo, "content": _content, "audiences": _audiences}
    for name in ("campaigns", "seo", "content", "audiences"):
        if name in chosen:
            brief.sections.append(builders[name](tenant))
    if "approvals" in chosen:
        brief.pending, brief.decided = _approvals(user, tenant, now)
    return brief


def _campaigns(tenant) -> Section:
    current, previous = last_days(tenant, DAYS)
    now, then = totals_then_and_now(tenant, current, previous)
    if not now.spend:
        return Section("Paid ads", [f"No ad spend in the last {DAYS} days."])
    cpa = fmt.money(now.cpa) if now.cpa is not None else "n/a"
    lines = [
        f"Spend {fmt.money(now.spend)} ({fmt.change_percent(now.spend, then.spend)}), CPA {cpa} "
        f"({fmt.change_percent(now.cpa, then.cpa)}), ROAS {fmt.times(now.roas)} "
        f"({fmt.change_absolute(now.roas, then.roas, '0.1', 'x')}) over the last {DAYS} days."
    ]
    by_campaign = totals_by_campaign(tenant, current)
    names = dict(Campaign.objects.for_tenant(tenant).filter(pk__in=by_campaign).values_list("pk", "name"))
    ranked = sorted(
        ((t.roas, names[pk]) for pk, t in by_campaign.items() if t.spend and pk in names), key=lambda r: (-r[0], r[1])
    )
    recommendation = ""
    if len(ranked) > 1:
        (top_roas, top), (low_roas, low) = ranked[0], ranked[-1]
        lines.append(f"Top: {top} ({fmt.times(top_roas)} ROAS). Bottom: {low} ({fmt.times(low_roas)}).")
        recommendation = f"Move budget from {low} towards {top}."
    return Section("Paid ads", lines, recommendation)


def _seo(tenant) -> Section:
    moves = keyword_moves(tenant, {"days": DAYS})
    gained = [f"{m['keyword']} (+{m['change']})" for m in moves["gained"][:LISTED]]
    lost = [f"{m['keyword']} ({m['change']})" for m in moves["lost"][:LISTED]]
    lines = [f"Gained: {', '.join(gained) or 'none'}.", f"Lost: {', '.join(lost) or 'none'}."]
    tip = f"Refresh the page ranking for “{moves['lost'][0]['keyword']}”." if moves["lost"] else ""
    return Section("SEO", lines, tip)


def _content(tenant) -> Section:
    pieces = content_performance(tenant, {"days": 30})
    best = [f"{p['title']} ({fmt.number(p['views'])} views)" for p in pieces["best"][:3]]
    lines = [f"Best: {', '.join(best) or 'nothing published in the last 30 days'}."]
    lines.append(f"Drafts waiting: {len(pieces['drafts'])}.")
    tip = f"Publish “{pieces['drafts'][0]['title']}”." if pieces["drafts"] else ""
    return Section("Content", lines, tip)


def _audiences(tenant) -> Section:
    segments = [s for s in audience_growth(tenant, {"limit": 3})["segments"] if float(s["weekly_growth_percent"]) > 0]
    lines = [f"{s['name']}: {fmt.number(s['size'])} people, +{s['weekly_growth_percent']}% this week" for s in segments]
    tip = f"Build a lookalike of {segments[0]['name']}." if segments else ""
    return Section("Audiences", lines or ["No segment grew this week."], tip)


def _approvals(user, tenant, now) -> tuple[list[PendingItem], list[str]]:
    waiting = HITLApproval.objects.filter(tenant=tenant, status=ApprovalStatus.PENDING, assignees=user).order_by(
        "sla_deadline"
    )[:LISTED]
    pending = [
        PendingItem(a.reference, a.action_summary, make_link(a, user, "approve"), make_link(a, user, "reject"))
        for a in waiting
    ]
    since = now - timedelta(days=1)
    decided = HITLApproval.objects.filter(tenant=tenant, updated_at__gte=since).exclude(status=ApprovalStatus.PENDING)
    return pending, [f"{a.reference} {a.get_status_display().lower()}: {a.action_summary}" for a in decided[:LISTED]]
