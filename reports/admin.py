"""The event log and the two analytics pages: filtered lists with charts above them and CSV export.

Each page's charts follow its list's filters (unfold's date-range filter included); a bar or
point opens the list behind it: the approvals of that period and outcome, or the day's
conversation metrics.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateFilter, RangeDateTimeFilter
from unfold.decorators import display

from agents.action_specs.base import field_label
from agents.actions import action_name, agent_name
from analytics.models import ConversationMetrics, HITLAnalytics, PeriodType, PlatformEvent
from conversations.models import Channel
from hitl.models import HITLNotification
from reports.aggregates import Percentile, grouped
from reports.charts import AMBER, BLUE, GREEN, GREY, INDIGO, ORANGE, RED, Chart, Dataset
from reports.periods import bounds, midnight, zone_of
from reports.queries import RESOLVED
from reports.resources import ConversationMetricsResource, HITLAnalyticsResource
from reports.satisfaction_charts import satisfaction_charts
from tenants.admin_scoping import ReadOnlyAdminMixin, ShownAsMixin, TenantScopedAdminMixin
from tenants.exports import StreamingCsvExportMixin
from tenants.templatetags.walker_l10n import money

CHART_POINTS = 92  # the latest periods or days of the filtered list


@admin.register(PlatformEvent)
class PlatformEventAdmin(ShownAsMixin, ReadOnlyAdminMixin, TenantScopedAdminMixin, ModelAdmin):
    list_display = ["created_at", "event_type", "user", "conversation_id", "subject_id"]
    list_filter = ["event_type"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    show_full_result_count = False
    shown_as = {"metadata": "details"}

    @display(description=_("details"))
    def details(self, event):
        data = event.metadata if isinstance(event.metadata, dict) else {}
        return format_html_join(
            mark_safe("<br>"), "{}: {}", ((field_label(key), _value_words(value)) for key, value in data.items())
        )


def _value_words(value) -> str:
    """A stored value of an event's details in words: an agent, an action or a channel by its name."""
    if isinstance(value, str):
        names = {**dict(HITLNotification.Channel.choices), **dict(Channel.choices)}
        return str(names.get(value) or action_name(agent_name(value)))
    if isinstance(value, list):
        return ", ".join(_value_words(item) for item in value)
    return "" if value is None else str(value)


class ChartedListMixin(ShownAsMixin, ReadOnlyAdminMixin, TenantScopedAdminMixin, StreamingCsvExportMixin):
    """A read-only list with charts of its filtered rows above it (`charts(request, rows)`)."""

    list_before_template = "admin/analytics/list_charts.html"
    list_filter_submit = True
    show_full_result_count = False

    def charts(self, request, rows) -> list[tuple[str, Chart]]:
        raise NotImplementedError

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["charts"] = [
                (title, chart) for title, chart in self.charts(request, changelist.queryset) if not chart.empty
            ]
        return response


COUNT_WORDS = {
    "requests": gettext_lazy("requested"), "approved": gettext_lazy("approved"), "rejected": gettext_lazy("rejected"),
    "expired": gettext_lazy("expired"), "cancelled": gettext_lazy("cancelled"), "pending": gettext_lazy("pending"),
    "decisions": gettext_lazy("decisions"), "approved_under_standing": gettext_lazy("under a standing approval"),
}  # fmt: skip


def _counts(counts: dict, skip=frozenset()) -> str:
    """{"requests": 3, "approved": 2} as "3 requested, 2 approved"; a cost per currency as "$850.00 · ¥9,000
    approved" (left out when nothing was approved)."""
    return ", ".join(
        gettext("%(amount)s approved") % {"amount": per_currency(n)}
        if k == "cost_approved"
        else f"{n} {COUNT_WORDS.get(k, k)}"
        for k, n in counts.items()
        if k not in skip and not (k == "cost_approved" and not n)
    )


def per_currency(amounts) -> str:
    """Totals by currency code, each in its money, dollars first: "$10,144.93 · ¥9,000"; "—" when there are none."""
    if not isinstance(amounts, dict) or not amounts:
        return "—"
    codes = sorted(amounts, key=lambda code: (code != "USD", code))
    return " · ".join(money(amounts[code], currency=code) for code in codes)


def _list_link(path: str, request, drop: set[str], **filters) -> str:
    """`path` with the current list's filters kept, except `drop` (and paging), plus `filters`."""
    kept = {k: v for k, v in request.GET.items() if k not in drop | {"p", "o", "e"}}
    return f"{path}?{urlencode({**kept, **filters})}"


@admin.register(HITLAnalytics)
class HITLAnalyticsAdmin(ChartedListMixin, ModelAdmin):
    resource_classes = [HITLAnalyticsResource]
    export_name = "approval-analytics"
    list_display = [
        "period_start", "period_type", "total_requests", "total_approved", "total_rejected", "total_expired",
        "median_minutes", "p90_minutes", "sla", "costs_approved",
    ]  # fmt: skip
    list_filter = ["period_type", ("period_start", RangeDateFilter)]
    ordering = ["-period_start"]
    shown_as = {
        "action_type_breakdown": "by_action", "top_approvers": "approvers",
        "cost_approved": "costs_approved", "cost_rejected": "costs_rejected",
    }  # fmt: skip

    @display(description=_("by action"))
    def by_action(self, row):
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}",
            (
                (action_name(action), _counts(counts))
                for action, counts in sorted(row.action_type_breakdown.items())
                if isinstance(counts, dict)
            ),
        )

    @display(description=_("top approvers"))
    def approvers(self, row):
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}",
            ((a.get("email") or "—", _counts(a, skip={"approver_id", "email"})) for a in row.top_approvers),
        )

    def get_list_filter(self, request):
        return [*self.list_filter, "tenant"] if request.user.is_superuser else self.list_filter

    @display(description=_("median min"))
    def median_minutes(self, row):
        return row.median_decision_minutes

    @display(description=_("p90 min"))
    def p90_minutes(self, row):
        return row.p90_decision_minutes

    @display(description=_("SLA met"))
    def sla(self, row):
        return "—" if row.sla_compliance_rate is None else f"{row.sla_compliance_rate:.0%}"

    @display(description=_("cost approved"))
    def costs_approved(self, row):
        return per_currency(row.cost_approved)

    @display(description=_("cost rejected"))
    def costs_rejected(self, row):
        return per_currency(row.cost_rejected)

    def charts(self, request, rows):
        kind = request.GET.get("period_type__exact") or PeriodType.DAY
        zone = zone_of(request.user)
        periods = list(
            rows.filter(period_type=kind)
            .values("period_start")
            .annotate(
                approved=Sum("total_approved"), rejected=Sum("total_rejected"), expired=Sum("total_expired"),
                cancelled=Sum("total_cancelled"), pending=Sum("total_pending"),
                median=Avg("median_decision_minutes"), p90=Avg("p90_decision_minutes"),
            )
            .order_by("-period_start")[:CHART_POINTS]
        )[::-1]  # fmt: skip
        approvals = reverse("admin:hitl_hitlapproval_changelist")
        labels = [date_format(p["period_start"], "j M Y") for p in periods]

        def links(**outcome):
            return [
                f"{approvals}?"
                + urlencode({"requested_at__gte": since.isoformat(), "requested_at__lt": until.isoformat(), **outcome})
                for since, until in (bounds(p["period_start"], kind, zone) for p in periods)
            ]

        outcomes = [
            (gettext("Approved"), "approved", GREEN, {"approved_at__isnull": "False"}),
            (gettext("Rejected"), "rejected", RED, {"status__exact": "rejected"}),
            (gettext("Expired"), "expired", ORANGE, {"status__exact": "expired"}),
            (gettext("Cancelled"), "cancelled", GREY, {"status__exact": "cancelled"}),
            (gettext("Pending"), "pending", AMBER, {"status__exact": "pending"}),
        ]
        requests = Chart(
            "bar",
            labels,
            [Dataset(name, [p[key] for p in periods], colour, links(**where)) for name, key, colour, where in outcomes],
            stacked=True,
            unit=gettext("approvals"),
        )
        decided = links(decided_automatically__exact="0")
        times = Chart(
            "line",
            labels,
            [
                Dataset(gettext("Median"), [p["median"] for p in periods], INDIGO, decided),
                Dataset(gettext("90th percentile"), [p["p90"] for p in periods], BLUE, decided),
            ],
            unit=gettext("minutes to decision"),
        )
        per = {
            PeriodType.WEEK: gettext("Approvals per week by outcome"),
            PeriodType.MONTH: gettext("Approvals per month by outcome"),
        }.get(kind) or gettext("Approvals per day by outcome")
        return [(per, requests), (gettext("Time to decision (people)"), times)]


@admin.register(ConversationMetrics)
class ConversationMetricsAdmin(ChartedListMixin, ModelAdmin):
    resource_classes = [ConversationMetricsResource]
    export_name = "conversation-metrics"
    list_display = [
        "started_at", "channel", "agents", "message_count", "first_response", "avg_response", "issue_resolved",
        "escalated_to_human", "hitl_approvals_count", "user_satisfaction_score",
    ]  # fmt: skip
    list_filter = [
        "channel", "issue_resolved", "escalated_to_human", "user_satisfaction_score",
        ("started_at", RangeDateTimeFilter),
    ]  # fmt: skip
    ordering = ["-started_at"]

    shown_as = {"agent_types": "agents"}

    @display(description=_("agents"))
    def agents(self, row):
        return ", ".join(agent_name(agent) for agent in row.agent_types)

    @display(description=_("first response"))
    def first_response(self, row):
        return "—" if row.first_response_ms is None else f"{row.first_response_ms / 1000:.1f} s"

    @display(description=_("avg response"))
    def avg_response(self, row):
        return "—" if row.avg_response_time_ms is None else f"{row.avg_response_time_ms / 1000:.1f} s"

    def charts(self, request, rows):
        zone = zone_of(request.user)
        figures = {
            "resolved": Count("pk", filter=Q(issue_resolved=True)),
            "open": Count("pk", filter=Q(issue_resolved=False)),
            "p50": Percentile("first_response_ms", 0.5),
            "p90": Percentile("first_response_ms", 0.9),
            "resolution_p50": Percentile("duration_seconds", 0.5, filter=RESOLVED),
            "resolution_p90": Percentile("duration_seconds", 0.9, filter=RESOLVED),
        }
        days = [
            {"day": d.pop("key"), **d}
            for d in grouped(rows, TruncDate("started_at", tzinfo=zone), figures, latest=CHART_POINTS)
        ]
        labels = [date_format(d["day"], "j M") for d in days]
        drop = {"started_at__gte", "started_at__lt", "issue_resolved__exact"}

        def links(**where):
            return [
                _list_link(
                    request.path, request, drop, started_at__gte=midnight(d["day"], zone).isoformat(),
                    started_at__lt=midnight(d["day"] + timedelta(days=1), zone).isoformat(), **where,
                )
                for d in days
            ]  # fmt: skip

        volume = Chart(
            "bar",
            labels,
            [
                Dataset(gettext("Resolved"), [d["resolved"] for d in days], GREEN, links(issue_resolved__exact="1")),
                Dataset(gettext("Not resolved"), [d["open"] for d in days], AMBER, links(issue_resolved__exact="0")),
            ],
            stacked=True,
            unit=gettext("conversations"),
        )
        spreads = ((gettext("Median"), "p50", INDIGO), (gettext("90th percentile"), "p90", BLUE))
        seconds = [
            Dataset(name, [None if d[key] is None else round(d[key] / 1000, 1) for d in days], colour, links())
            for name, key, colour in spreads
        ]
        resolved_links = links(issue_resolved__exact="1")
        minutes = [
            Dataset(
                name,
                [None if d[f"resolution_{key}"] is None else round(d[f"resolution_{key}"] / 60, 1) for d in days],
                colour,
                resolved_links,
            )
            for name, key, colour in spreads
        ]
        drop_rating = {"channel__exact", "user_satisfaction_score"}
        return [
            (gettext("Conversations per day"), volume),
            (gettext("First response time"), Chart("line", labels, seconds, unit=gettext("seconds"))),
            (gettext("Resolution time"), Chart("line", labels, minutes, unit=gettext("minutes"))),
            *satisfaction_charts(rows, lambda **where: _list_link(request.path, request, drop_rating, **where)),
        ]
