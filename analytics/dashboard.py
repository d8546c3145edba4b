"""The admin index's dashboard: figures for the viewer's tenant (every tenant for a superuser).

Each figure is one aggregate query, so the page costs the same number of queries whatever the
number of rows. "Today" and "per day" are days in the tenant's time zone (UTC for a superuser).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Aggregate, Count, F, Q
from django.db.models.functions import TruncDate
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from analytics.charts import Bar, Series, bar_list, stacked_bars
from conversations.models import Channel, Conversation
from hitl.models import ApprovalStatus, HITLApproval, RiskLevel

CHART_DAYS = 14
RECENT = timedelta(days=7)
TOP_AGENTS = 5

# Tailwind's 500 shades: readable on unfold's white cards and on its dark ones.
CHANNEL_COLOURS = {
    Channel.WHATSAPP: "#22c55e",
    Channel.EMAIL: "#3b82f6",
    Channel.CHAT: "#8b5cf6",
    Channel.API: "#f59e0b",
}
RISK_COLOURS = {
    RiskLevel.LOW: "#22c55e",
    RiskLevel.MEDIUM: "#eab308",
    RiskLevel.HIGH: "#f97316",
    RiskLevel.CRITICAL: "#ef4444",
}
AGENT_COLOUR = "#6366f1"

PENDING = Q(status=ApprovalStatus.PENDING)
# Approved or rejected by a person: automatic decisions and expiries would flatter the median.
DECIDED_BY_PERSON = Q(decided_automatically=False) & (Q(approved_at__isnull=False) | Q(rejected_at__isnull=False))

APPROVALS = "hitl.hitlapproval"
CONVERSATIONS = "conversations.conversation"


class Median(Aggregate):
    """PostgreSQL's exact median; other databases fetch the week's durations and use statistics.median."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: int | str
    note: str
    icon: str
    href: str | None = None
    alert: bool = False


def dashboard_callback(request, context):
    """unfold's DASHBOARD_CALLBACK: adds `dashboard` to the admin index's context."""
    user = request.user
    zone = ZoneInfo(user.tenant.timezone) if user.tenant_id and not user.is_superuser else UTC
    now = timezone.now()
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1)]
    midnight = _start_of(today, zone)
    chart_start = _start_of(days[0], zone)
    week_ago = (now - RECENT).replace(microsecond=0)  # whole seconds: it also goes into list links

    approvals = HITLApproval.objects.for_user(user)
    conversations = Conversation.objects.for_user(user)
    lists = _changelists(context)
    counts = approval_counts(approvals, midnight=midnight, since=week_ago)
    took = median_decision_time(approvals, since=week_ago)
    per_day = conversations_per_day(conversations, start=chart_start, zone=zone)
    agents = busiest_agents(conversations, since=week_ago)

    context["dashboard"] = {
        "scope": "All tenants" if user.is_superuser else user.tenant.name,
        "zone": str(zone),
        "kpis": _kpis(counts, took, lists, midnight=midnight),
        **conversations_chart(per_day, days),
        "conversations_url": _link(lists, CONVERSATIONS, started_at__gte=chart_start.isoformat()),
        "risk_total": sum(counts[f"risk_{level}"] for level in RiskLevel),
        "risk_chart": _risk_chart(counts, lists, since=week_ago),
        "agents": agents,
        "agents_chart": _agents_chart(agents, lists, since=week_ago),
    }
    return context


def approval_counts(approvals, *, midnight: datetime, since: datetime) -> dict[str, int]:
    """The approval cards and the risk breakdown (requests since `since`), in one query."""
    recent = Q(requested_at__gte=since)
    by_risk = {}
    for level in RiskLevel:
        by_risk[f"risk_{level}"] = Count("pk", filter=recent & Q(risk_level=level))
        by_risk[f"risk_{level}_pending"] = Count("pk", filter=recent & PENDING & Q(risk_level=level))
    return approvals.aggregate(
        pending=Count("pk", filter=PENDING),
        breached=Count("pk", filter=PENDING & Q(sla_breached=True)),
        requested_today=Count("pk", filter=Q(requested_at__gte=midnight)),
        decided_today=Count("pk", filter=DECIDED_BY_PERSON & Q(resolved_at__gte=midnight)),
        **by_risk,
    )


def median_decision_time(approvals, *, since: datetime) -> timedelta | None:
    """Median of request-to-decision times for decisions people made since `since`."""
    decided = approvals.filter(DECIDED_BY_PERSON, resolved_at__gte=since)
    took = F("resolved_at") - F("requested_at")
    if connections[decided.db].vendor == "postgresql":
        return decided.aggregate(median=Median(took))["median"]
    durations = list(decided.annotate(took=took).values_list("took", flat=True))
    return median(durations) if durations else None


def conversations_per_day(conversations, *, start: datetime, zone) -> dict[tuple[date, str], int]:
    """Conversations started since `start`, counted by (day in `zone`, channel)."""
    rows = (
        conversations.filter(started_at__gte=start)
        .annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["day"], row["channel"]): row["n"] for row in rows}


def busiest_agents(conversations, *, since: datetime) -> list[dict]:
    """The agents with the most conversations started since `since`: agent_id, agent__name, n."""
    rows = (
        conversations.filter(started_at__gte=since, agent__isnull=False)
        .values("agent_id", "agent__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "agent__name")
    )
    return list(rows[:TOP_AGENTS])


def conversations_chart(per_day: dict[tuple[date, str], int], days: list[date]) -> dict:
    """The chart's context: the total and the SVG (None when there is nothing to draw)."""
    series = [
        Series(channel.label, CHANNEL_COLOURS[channel], [per_day.get((day, channel.value), 0) for day in days])
        for channel in Channel
    ]
    series = [s for s in series if any(s.values)]
    total = sum(sum(s.values) for s in series)
    if not total:
        return {"conversations_total": 0, "conversations_chart": None}
    labels = [date_format(day, "j M") for day in days[:-1]] + ["Today"]
    period = f"{date_format(days[0], 'j M')} to {date_format(days[-1], 'j M')}"
    by_channel = ", ".join(f"{s.name} {sum(s.values)}" for s in series)
    return {
        "conversations_total": total,
        "conversations_chart": stacked_bars(
            labels,
            series,
            title="Conversations per channel per day, last 14 days",
            summary=f"{total} conversation{pluralize(total)} from {period}: {by_channel}.",
        ),
    }


def format_duration(value: timedelta | None) -> str:
    """'2 h 14 min', '35 min', '3 d 4 h'; an em dash when there is nothing to measure."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "< 1 min"


def _kpis(counts: dict, took: timedelta | None, lists: dict, *, midnight: datetime) -> list[Kpi]:
    pending = ApprovalStatus.PENDING
    return [
        Kpi(
            "pending",
            "Pending approvals",
            counts["pending"],
            "waiting for a decision",
            "pending_actions",
            _link(lists, APPROVALS, status__exact=pending),
        ),
        Kpi(
            "breached",
            "SLA breaches",
            counts["breached"],
            "pending past their deadline",
            "timer_off",
            _link(lists, APPROVALS, status__exact=pending, sla_breached__exact=1),
            alert=counts["breached"] > 0,
        ),
        Kpi("median", "Median time to decision", format_duration(took), "decided by people, last 7 days", "timer"),
        Kpi(
            "today",
            "Approvals today",
            counts["requested_today"],
            f"requested since midnight · {counts['decided_today']} decided",
            "today",
            _link(lists, APPROVALS, requested_at__gte=midnight.isoformat()),
        ),
    ]


def _risk_chart(counts: dict, lists: dict, *, since: datetime) -> SafeString:
    bars = []
    for level in RiskLevel:
        pending = counts[f"risk_{level}_pending"]
        bars.append(
            Bar(
                level.label,
                counts[f"risk_{level}"],
                RISK_COLOURS[level],
                _link(lists, APPROVALS, risk_level__exact=level, requested_at__gte=since.isoformat()),
                f"{pending} pending" if pending else "",
            )
        )
    return bar_list(bars, title="Approvals requested in the last 7 days, by risk level")


def _agents_chart(agents: list[dict], lists: dict, *, since: datetime) -> SafeString:
    bars = [
        Bar(
            row["agent__name"],
            row["n"],
            AGENT_COLOUR,
            _link(lists, CONVERSATIONS, agent__id__exact=row["agent_id"], started_at__gte=since.isoformat()),
        )
        for row in agents
    ]
    return bar_list(bars, title="Conversations per agent in the last 7 days")


def _start_of(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _changelists(context) -> dict[str, str]:
    """Admin list URLs the viewer may open, by model label, taken from the app list unfold already built."""
    return {
        entry["model"]._meta.label_lower: entry["admin_url"]
        for app in context.get("app_list", [])
        for entry in app["models"]
        if entry.get("admin_url")
    }


def _link(lists: dict[str, str], label: str, **filters) -> str | None:
    """The filtered admin list of `label`, or None if the viewer has no such list."""
    base = lists.get(label)
    return f"{base}?{urlencode(filters)}" if base else None
