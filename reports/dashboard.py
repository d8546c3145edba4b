"""The admin index's dashboard: figures for the viewer's tenant (every tenant for a superuser).

Each figure is one aggregate query, so the page costs the same number of queries whatever the
number of rows. Days are days in the tenant's time zone (UTC for a superuser). The charts cover
the range the viewer picks (?start=&end=, the last 14 days by default); every bar opens the
admin list behind it. The figures are read through the shared cache (reports.cache), so the
viewers of a tenant share one read until its figures change: the approval figures and the
conversation figures apart, so an approval decided does not read a fortnight of messages again.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Avg, Count, F, IntegerField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agents.actions import agent_name
from analytics.models import EventType, PlatformEvent
from conversations.models import Channel, Conversation, Message
from hitl.models import ApprovalStatus, HITLApproval, RiskLevel
from reports import periods
from reports.aggregates import Percentile, aggregate
from reports.cache import ACTIVITY_ROWS, APPROVAL_ROWS, cached, cached_in
from reports.charts import AMBER, BLUE, GREEN, INDIGO, ORANGE, RED, VIOLET, YELLOW, Chart, Dataset
from reports.periods import midnight, zone_of

DEFAULT_DAYS = 14
MAX_DAYS = 92
TOP_AGENTS = 5

CHANNEL_COLOURS = {Channel.WHATSAPP: GREEN, Channel.EMAIL: BLUE, Channel.CHAT: VIOLET, Channel.API: AMBER}
RISK_COLOURS = {RiskLevel.LOW: GREEN, RiskLevel.MEDIUM: YELLOW, RiskLevel.HIGH: ORANGE, RiskLevel.CRITICAL: RED}

PENDING = Q(status=ApprovalStatus.PENDING)
# Approved or rejected by a person: automatic decisions and expiries would flatter the median.
DECIDED_BY_PERSON = Q(decided_automatically=False) & (Q(approved_at__isnull=False) | Q(rejected_at__isnull=False))
AGENT_REPLY = Q(direction=Message.Direction.OUTBOUND, sender_type=Message.SenderType.AGENT)

APPROVALS = "hitl.hitlapproval"
CONVERSATIONS = "conversations.conversation"
EVENTS = "analytics.platformevent"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: int | str
    note: str
    icon: str
    href: str | None = None
    alert: bool = False


@dataclass(frozen=True)
class Span:
    """The days the charts cover, in `zone`; `since`/`until` are their UTC bounds."""

    first: date
    last: date
    zone: object

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def since(self) -> datetime:
        return midnight(self.first, self.zone)

    @property
    def until(self) -> datetime:
        return midnight(self.last + timedelta(days=1), self.zone)


def chosen_span(params, zone, today: date) -> tuple[Span, str]:
    """The range from ?start=&end= (YYYY-MM-DD), else the last 14 days; with a note when the query was refused."""
    default = Span(today - timedelta(days=DEFAULT_DAYS - 1), today, zone)
    if not params.get("start") and not params.get("end"):
        return default, ""
    try:
        last = date.fromisoformat(params.get("end") or today.isoformat())
        first = date.fromisoformat(params["start"]) if params.get("start") else None
    except ValueError:
        return default, _("Dates are YYYY-MM-DD; showing the last 14 days.")
    if not all(periods.may_ask_for(day) for day in (first, last) if day):
        return default, _("Pick days from %(first)s to %(last)s; showing the last 14 days.") % periods.DAY_RANGE
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        return default, _("The start is after the end; showing the last 14 days.")
    if (last - first).days >= MAX_DAYS:
        return default, _("Pick at most %(days)s days; showing the last 14 days.") % {"days": MAX_DAYS}
    return Span(first, last, zone), ""


def dashboard_callback(request, context):
    """unfold's DASHBOARD_CALLBACK: adds `dashboard` to the admin index's context."""
    user = request.user
    zone = zone_of(user)
    now = timezone.now()
    today = now.astimezone(zone).date()
    span, note = chosen_span(request.GET, zone, today)
    asked = _asked(span, today)
    counts, took = cached(
        user, "dashboard", asked, lambda: approval_figures(_seen_by(user), span, today, now), reads=APPROVAL_ROWS
    )
    logged, week_ago, per_day, agents = cached(
        user, "dashboard", asked, lambda: activity_figures(_seen_by(user), span, now), reads=ACTIVITY_ROWS
    )

    lists = _changelists(context)
    cards = [
        *_kpis(counts, took, lists, midnight=midnight(today, zone)),
        *_satisfaction_kpis(logged, span, lists),
        *_failure_kpis(logged["failed"], lists, since=week_ago),
    ]
    conversations_chart = conversations_by_day(per_day, span, lists)
    context["dashboard"] = {
        "scope": _("All tenants") if user.is_superuser else user.tenant.name,
        "zone": str(zone),
        "start": span.first.isoformat(),
        "end": span.last.isoformat(),
        "period": _("%(first)s to %(last)s")
        % {"first": date_format(span.first, "j M Y"), "last": date_format(span.last, "j M Y")},
        "note": note,
        "kpis": cards,
        "conversations_total": int(conversations_chart.total),
        "conversations_chart": conversations_chart if conversations_chart.total else None,
        "conversations_url": _link(lists, CONVERSATIONS, **_between("started_at", span.since, span.until)),
        "risk_total": sum(counts[f"risk_{level}"] for level in RiskLevel),
        "risk_chart": risk_chart(counts, span, lists),
        "agents": agents,
        "agents_chart": agents_chart(agents, span, lists),
    }
    return context


def approval_figures(rows, span: Span, today: date, now: datetime) -> tuple:
    """The approval cards and risks, and the week's median decision time, of the viewer's scope (`rows(model)`: the
    model's rows of it): the same for every viewer of it (reports.cache keeps them; the links each viewer may open
    are added per request)."""
    approvals = rows(HITLApproval)
    return (
        approval_counts(approvals, midnight=midnight(today, span.zone), since=span.since, until=span.until),
        median_decision_time(approvals, since=_week_before(now)),
    )


def activity_figures(rows, span: Span, now: datetime) -> tuple:
    """What the event log, the conversations and the agents' replies say, as approval_figures: the logged figures,
    since when failures count (the failures card links the events it counted), conversations a day, busiest agents.
    `rows(model)`: the model's rows of the scope."""
    week_ago = _week_before(now)
    return (
        event_figures(rows(PlatformEvent), failed_since=week_ago, span=span),
        week_ago,
        conversations_per_day(rows(Conversation), start=span.since, zone=span.zone, end=span.until),
        busiest_agents(rows(Message), since=span.since, until=span.until),
    )


def warm(tenant, now: datetime | None = None) -> None:
    """The tenant's dashboard of the last 14 days computed into the cache as its first viewer would have it: the
    metrics job calls it after it writes (dropping both kinds of figures), so no viewer waits for the fortnight of
    agent replies the busiest agents read, each minute while conversations change (bench/RESULTS.md)."""
    if not settings.REPORT_CACHE_SECONDS:
        return
    now = now or timezone.now()
    zone = zone_of(tenant)
    today = now.astimezone(zone).date()
    span, _note = chosen_span({}, zone, today)
    asked, rows = _asked(span, today), lambda model: model.objects.for_tenant(tenant)
    scope = str(tenant.pk)
    cached_in(scope, "dashboard", asked, lambda: approval_figures(rows, span, today, now), reads=APPROVAL_ROWS)
    cached_in(scope, "dashboard", asked, lambda: activity_figures(rows, span, now), reads=ACTIVITY_ROWS)


def _seen_by(user):
    return lambda model: model.objects.for_user(user)


def _asked(span: Span, today: date) -> dict:
    """The dashboard's parameters in the cache's key."""
    return {"first": span.first.isoformat(), "last": span.last.isoformat(), "today": today.isoformat(),
            "zone": str(span.zone)}  # fmt: skip


def _week_before(now: datetime) -> datetime:
    return (now - timedelta(days=7)).replace(microsecond=0)


def approval_counts(approvals, *, midnight: datetime, since: datetime, until: datetime) -> dict[str, int]:
    """The approval cards and the risk breakdown (requests in [since, until)), in one query."""
    picked = Q(requested_at__gte=since, requested_at__lt=until)
    by_risk = {}
    for level in RiskLevel:
        by_risk[f"risk_{level}"] = Count("pk", filter=picked & Q(risk_level=level))
        by_risk[f"risk_{level}_pending"] = Count("pk", filter=picked & PENDING & Q(risk_level=level))
    # Only the rows some figure counts (waiting, asked in the range or today, decided today), each found by an index:
    # a big tenant's million decided requests are not read for the handful of today's.
    counted = PENDING | Q(requested_at__gte=min(since, midnight)) | Q(resolved_at__gte=midnight)
    return approvals.filter(counted).aggregate(
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
    return aggregate(decided, {"median": Percentile(took, 0.5)})["median"]


def event_figures(events, *, failed_since: datetime, span: Span) -> dict:
    """From the event log, in one query: messages whose every answer attempt failed since `failed_since` (each got
    an apology instead of an answer), and the span's satisfaction ratings asked for, given, and their average."""
    failed = Q(event_type=EventType.ANSWER_FAILED, created_at__gte=failed_since)
    in_span = Q(created_at__gte=span.since, created_at__lt=span.until)
    rated = in_span & Q(event_type=EventType.SATISFACTION_RATED)
    ratings = in_span & Q(event_type__in=[EventType.SATISFACTION_ASKED, EventType.SATISFACTION_RATED])
    return events.filter(failed | ratings).aggregate(
        failed=Count("pk", filter=failed),
        asked=Count("pk", filter=in_span & Q(event_type=EventType.SATISFACTION_ASKED)),
        rated=Count("pk", filter=rated),
        score=Avg(Cast(KT("metadata__score"), IntegerField()), filter=rated),
    )


def conversations_per_day(conversations, *, start: datetime, zone, end: datetime | None = None) -> dict:
    """Conversations started in [start, end), counted by (day in `zone`, channel)."""
    picked = conversations.filter(started_at__gte=start)
    if end is not None:
        picked = picked.filter(started_at__lt=end)
    rows = (
        picked.annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["day"], row["channel"]): row["n"] for row in rows}


def busiest_agents(messages, *, since: datetime, until: datetime) -> list[dict]:
    """The agent types that answered in the most conversations in [since, until): agent_type, n.

    Counted from the agents' replies, so every agent that answered counts, not only the last
    one a conversation was routed to.
    """
    rows = (
        messages.filter(AGENT_REPLY, created_at__gte=since, created_at__lt=until, metadata__agent_type__isnull=False)
        .values(agent_type=KT("metadata__agent_type"))
        .annotate(n=Count("conversation_id", distinct=True))
        .order_by("-n", "agent_type")
    )
    return list(rows[:TOP_AGENTS])


def conversations_by_day(per_day: dict, span: Span, lists: dict) -> Chart:
    labels = [date_format(day, "j M") for day in span.days]
    datasets = []
    for channel in Channel:
        values = [per_day.get((day, channel.value), 0) for day in span.days]
        if any(values):
            links = [
                _link(
                    lists, CONVERSATIONS, channel__exact=channel.value, **_between("started_at", *_day(day, span.zone))
                )
                for day in span.days
            ]
            datasets.append(Dataset(channel.label, values, CHANNEL_COLOURS[channel], links))
    return Chart("bar", labels, datasets, stacked=True, unit=_("conversations"))


def risk_chart(counts: dict, span: Span, lists: dict) -> Chart:
    levels = list(RiskLevel)
    picked = _between("requested_at", span.since, span.until)
    return Chart(
        "bar",
        [level.label for level in levels],
        [
            Dataset(
                _("Pending"),
                [counts[f"risk_{level}_pending"] for level in levels],
                AMBER,
                [
                    _link(lists, APPROVALS, risk_level__exact=level, status__exact="pending", **picked)
                    for level in levels
                ],
            ),
            Dataset(
                _("Decided or closed"),
                [counts[f"risk_{level}"] - counts[f"risk_{level}_pending"] for level in levels],
                INDIGO,
                [_link(lists, APPROVALS, risk_level__exact=level, **picked) for level in levels],
            ),
        ],
        stacked=True,
        unit=_("approvals"),
    )


def agents_chart(agents: list[dict], span: Span, lists: dict) -> Chart:
    window = {"answered_since": span.since.isoformat(), "answered_until": span.until.isoformat()}
    links = [_link(lists, CONVERSATIONS, answered_by=row["agent_type"], **window) for row in agents]
    return Chart(
        "bar",
        [agent_name(row["agent_type"]) for row in agents],
        [Dataset(_("Conversations answered"), [row["n"] for row in agents], INDIGO, links)],
        horizontal=True,
        unit=_("conversations"),
    )


def format_duration(value: timedelta | None) -> str:
    """'2 h 14 min', '35 min', '3 d 4 h'; an em dash when there is nothing to measure."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = {"days": days, "hours": hours, "minutes": minutes}
    if days:
        return (_("%(days)s d %(hours)s h") if hours else _("%(days)s d")) % parts
    if hours:
        return (_("%(hours)s h %(minutes)s min") if minutes else _("%(hours)s h")) % parts
    return _("%(minutes)s min") % parts if minutes else _("< 1 min")


def _kpis(counts: dict, took: timedelta | None, lists: dict, *, midnight: datetime) -> list[Kpi]:
    pending = ApprovalStatus.PENDING
    return [
        Kpi(
            "pending",
            _("Pending approvals"),
            counts["pending"],
            _("waiting for a decision"),
            "pending_actions",
            _link(lists, APPROVALS, status__exact=pending),
        ),
        Kpi(
            "breached",
            _("SLA breaches"),
            counts["breached"],
            _("pending past their deadline"),
            "timer_off",
            _link(lists, APPROVALS, status__exact=pending, sla_breached__exact=1),
            alert=counts["breached"] > 0,
        ),
        Kpi(
            "median",
            _("Median time to decision"),
            format_duration(took),
            _("decided by people, last 7 days"),
            "timer",
        ),
        Kpi(
            "today",
            _("Approvals today"),
            counts["requested_today"],
            _("requested since midnight · %(count)s decided") % {"count": counts["decided_today"]},
            "today",
            _link(lists, APPROVALS, requested_at__gte=midnight.isoformat()),
        ),
    ]


def _satisfaction_kpis(logged: dict, span: Span, lists: dict) -> list[Kpi]:
    """The span's ratings (conversations.satisfaction): their average out of 5, how many of those asked rated. A card
    once anyone was asked in the span."""
    if not (logged["asked"] or logged["rated"]):
        return []
    score = logged["score"]
    span_bounds = (span.since, span.until)
    return [
        Kpi(
            "satisfaction",
            _("Satisfaction"),
            _("%(score)s / 5") % {"score": f"{score:.1f}"} if score is not None else "–",
            _("%(rated)s rated of %(asked)s asked, in the period")
            % {"rated": logged["rated"], "asked": logged["asked"]},
            "sentiment_satisfied",
            _link(
                lists, EVENTS, event_type__exact=EventType.SATISFACTION_RATED, **_between("created_at", *span_bounds)
            ),
        )
    ]


def _failure_kpis(failed: int, lists: dict, *, since: datetime) -> list[Kpi]:
    """A card only while something failed: messages the agents could not answer, for someone to look into."""
    if not failed:
        return []
    return [
        Kpi(
            "failed_answers",
            _("Unanswered messages"),
            failed,
            _("every attempt to answer failed, last 7 days"),
            "error",
            _link(lists, EVENTS, event_type__exact=EventType.ANSWER_FAILED, created_at__gte=since.isoformat()),
            alert=True,
        )
    ]


def _day(day: date, zone) -> tuple[datetime, datetime]:
    return midnight(day, zone), midnight(day + timedelta(days=1), zone)


def _between(field: str, since: datetime, until: datetime) -> dict:
    return {f"{field}__gte": since.isoformat(), f"{field}__lt": until.isoformat()}


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
