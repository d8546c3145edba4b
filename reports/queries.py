"""The conversation and approval reports behind /api/analytics/.

Each report is two aggregate queries (the totals, then one row per group) over indexed
ranges; percentiles come from PostgreSQL's PERCENTILE_CONT (on the embedded SQLite, from the
same rows interpolated in Python: `reports.aggregates`).
Date ranges are whole days in the viewer's time zone (the tenant's; UTC for a superuser).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce

from analytics.models import ConversationMetrics, PeriodType
from conversations.delivery import display_name
from hitl.models import HITLApproval, HITLDecision, RiskLevel
from reports import approval_stats
from reports.aggregates import Percentile, aggregate, grouped
from reports.periods import TRUNCATE, midnight, zone_of
from tenants.models import User

TIME_GROUPS = [PeriodType.DAY, PeriodType.WEEK, PeriodType.MONTH]
# Resolution time: how long a resolved conversation took, its start to its end (its duration).
RESOLVED = Q(issue_resolved=True)
# holder: the person of the tenant who resolved the conversation (none when the agents' answer closed it).
CONVERSATION_GROUPS = {"channel": F("channel"), "agent": F("agents__agent_type"), "holder": F("resolved_by")}
SCORES = range(1, 6)  # the satisfaction scale (conversations.satisfaction)
APPROVAL_GROUPS = {"channel": F("conversation__channel"), "agent": F("agent_type"), "action_type": F("action_type")}
APPROVAL_FILTERS = {"action_type": "action_type", "agent": "agent_type", "channel": "conversation__channel"}


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive
    zone: object

    @property
    def utc(self) -> tuple[datetime, datetime]:
        return midnight(self.start, self.zone), midnight(self.end + timedelta(days=1), self.zone)


def range_for(user, start: date, end: date) -> Range:
    return Range(start, end, zone_of(user))


def _group_key(group_by: str, field: str, zone, named: dict):
    if group_by in TIME_GROUPS:
        return TRUNCATE[group_by](field, tzinfo=zone)
    return named[group_by]


def _key(value, zone):
    if isinstance(value, datetime):
        return value.astimezone(zone).date().isoformat()
    return value if value is not None else ""


def _spread(figures: dict, name: str) -> dict:
    return {"mean": figures[f"{name}_mean"], "p50": figures[f"{name}_p50"], "p90": figures[f"{name}_p90"]}


# --- conversations -------------------------------------------------------------------------


def conversation_expressions() -> dict:
    figures = {
        "conversations": Count("pk"),
        "messages": Coalesce(Sum("message_count"), 0),
        "avg_duration_seconds": Avg("duration_seconds"),
        "first_response_ms_mean": Avg("first_response_ms"),
        "response_time_ms_mean": Avg("avg_response_time_ms"),
        "resolution_seconds_mean": Avg("duration_seconds", filter=RESOLVED),
        "resolved": Count("pk", filter=Q(issue_resolved=True)),
        "escalated_to_human": Count("pk", filter=Q(escalated_to_human=True)),
        "satisfaction_avg": Avg("user_satisfaction_score"),
        "rated": Count("user_satisfaction_score"),
        **{f"satisfaction_{score}": Count("pk", filter=Q(user_satisfaction_score=score)) for score in SCORES},
        "hitl_approvals": Coalesce(Sum("hitl_approvals_count"), 0),
    }
    for name, field in (("first_response_ms", "first_response_ms"), ("response_time_ms", "avg_response_time_ms")):
        figures[f"{name}_p50"] = Percentile(field, 0.5)
        figures[f"{name}_p90"] = Percentile(field, 0.9)
    figures["resolution_seconds_p50"] = Percentile("duration_seconds", 0.5, filter=RESOLVED)
    figures["resolution_seconds_p90"] = Percentile("duration_seconds", 0.9, filter=RESOLVED)
    return figures


def _conversation_figures(row: dict) -> dict:
    total = row["conversations"]
    return {
        "conversations": total,
        "messages": row["messages"],
        "avg_duration_seconds": _round(row["avg_duration_seconds"]),
        "first_response_ms": {k: _round(v) for k, v in _spread(row, "first_response_ms").items()},
        "response_time_ms": {k: _round(v) for k, v in _spread(row, "response_time_ms").items()},
        "resolution_seconds": {k: _round(v) for k, v in _spread(row, "resolution_seconds").items()},
        "resolved": row["resolved"],
        "resolution_rate": round(row["resolved"] / total, 4) if total else None,
        "escalated_to_human": row["escalated_to_human"],
        "satisfaction_avg": _round(row["satisfaction_avg"], 2),
        "rated": row["rated"],
        "satisfaction_distribution": {str(score): row[f"satisfaction_{score}"] for score in SCORES},
        "hitl_approvals": row["hitl_approvals"],
    }


def conversation_metrics_for(user, span: Range, *, channel: str = "", agent: str = ""):
    start, end = span.utc
    rows = ConversationMetrics.objects.for_user(user).filter(started_at__gte=start, started_at__lt=end)
    if channel:
        rows = rows.filter(channel=channel)
    if agent:
        rows = rows.filter(agents__agent_type=agent)
    return rows


def conversation_report(user, span: Range, group_by: str, **filters) -> dict:
    rows = conversation_metrics_for(user, span, **filters)
    expressions = conversation_expressions()
    key = _group_key(group_by, "started_at", span.zone, CONVERSATION_GROUPS)
    figures = grouped(rows, key, expressions)
    groups = [{"key": _key(row["key"], span.zone), **_conversation_figures(row)} for row in figures]
    if group_by == "holder":
        name_holders(groups)
    return _report(span, group_by, _conversation_figures(aggregate(rows, expressions)), groups)


def name_holders(groups: list[dict]) -> None:
    """Each holder group with the person's name, as customers see it (never their address); "" for the agents."""
    people = {str(user.pk): user for user in User.objects.filter(pk__in=[g["key"] for g in groups if g["key"]])}
    for group in groups:
        group["key"] = str(group["key"])
        person = people.get(group["key"])
        group["name"] = display_name(person) if person is not None else ""


# --- approvals -----------------------------------------------------------------------------


def approvals_for(user, span: Range, *, action_type: str = "", agent: str = "", channel: str = ""):
    start, end = span.utc
    rows = HITLApproval.objects.for_user(user).filter(requested_at__gte=start, requested_at__lt=end)
    return rows.filter(**_approval_filters("", action_type=action_type, agent=agent, channel=channel))


def decisions_for(user, span: Range, *, action_type: str = "", agent: str = "", channel: str = ""):
    """The decisions made in the range on approvals the filters select (approvals_for's): its top approvers'."""
    start, end = span.utc
    rows = HITLDecision.objects.for_user(user).filter(decided_at__gte=start, decided_at__lt=end)
    return rows.filter(**_approval_filters("approval__", action_type=action_type, agent=agent, channel=channel))


def _approval_filters(path: str, **given) -> dict:
    """The lookups of the filters given (empty ones select everything), on the approvals `path` leads to."""
    return {f"{path}{APPROVAL_FILTERS[name]}": value for name, value in given.items() if value}


def _approval_figures(row: dict) -> dict:
    return {
        "requests": row["requests"],
        "approved": row["approved"],
        "rejected": row["rejected"],
        "expired": row["expired"],
        "cancelled": row["cancelled"],
        "pending": row["pending"],
        "decision_minutes": {
            "mean": approval_stats.minutes(row["mean_decision"]),
            "p50": approval_stats.minutes(row["median_decision"]),
            "p90": approval_stats.minutes(row["p90_decision"]),
        },
        "sla_compliance_rate": approval_stats.compliance(row),
        "risk": {level.value: row[f"risk_{level}"] for level in RiskLevel},
    }


def approval_report(user, span: Range, group_by: str, **filters) -> dict:
    rows = approvals_for(user, span, **filters)
    expressions = approval_stats.figure_expressions()
    key = _group_key(group_by, "requested_at", span.zone, APPROVAL_GROUPS)
    groups = grouped(rows, key, expressions)
    totals = _approval_figures(aggregate(rows, expressions))
    costs_in_all, costs = approval_stats.costs_by_currency(rows, key)  # per currency, never added up
    totals.update(costs_in_all)
    totals["top_approvers"] = approval_stats.top_approvers(decisions_for(user, span, **filters), viewer=user)
    return _report(
        span,
        group_by,
        totals,
        [{"key": _key(row["key"], span.zone), **_approval_figures(row), **costs[row["key"]]} for row in groups],
    )


def _report(span: Range, group_by: str, totals: dict, groups: list[dict]) -> dict:
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "timezone": str(span.zone),
        "group_by": group_by,
        "totals": totals,
        "groups": groups,
    }


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)
