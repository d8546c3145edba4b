"""Approval analytics (the seed's HITL_ANALYTICS), computed in the database with aggregates.

Approvals belong to the period in which they were requested (in the tenant's time zone);
their outcome is what they have come to since. Time to decision counts decisions people
made (automatic rules and expiries would flatter it). SLA compliance: of the approvals
whose SLA came due (decided by people, breached, or expired), the share people decided
by the deadline. The top approvers are who decided most in the period: decisions belong to the period they were
made in, as a person's work does.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import EventType, HITLAnalytics, PeriodType, PlatformEvent
from core import currencies
from hitl.models import APPROVAL_CURRENCY, ApprovalStatus, HITLApproval, HITLDecision, RiskLevel
from reports.aggregates import Percentile, aggregate
from reports.periods import bounds, start_of, zone_of
from reports.watermarks import LAG, job_lock
from tenants.privacy.reveal import shown_email

TOP_APPROVERS = 5

APPROVED = Q(approved_at__isnull=False)
REJECTED = Q(status=ApprovalStatus.REJECTED)
UNDER_STANDING = Q(approved_under__isnull=False)
BY_PERSON = Q(decided_automatically=False) & (Q(approved_at__isnull=False) | Q(rejected_at__isnull=False))
TOOK = ExpressionWrapper(F("resolved_at") - F("requested_at"), output_field=DurationField())
SLA_DUE = Q(sla_deadline__isnull=False) & (BY_PERSON | Q(sla_breached=True) | Q(status=ApprovalStatus.EXPIRED))
SLA_MET = Q(sla_deadline__isnull=False) & BY_PERSON & Q(resolved_at__lte=F("sla_deadline"))
APPROVAL_EVENTS = [
    EventType.APPROVAL_REQUESTED,
    EventType.APPROVAL_APPROVED,
    EventType.APPROVAL_REJECTED,
    EventType.APPROVAL_EXPIRED,
    EventType.APPROVAL_CANCELLED,
    EventType.SLA_BREACHED,
]


def figure_expressions() -> dict:
    """Figures for `reports.aggregates.aggregate` (one period) or `grouped` (one row per group)."""
    figures = {
        "requests": Count("pk"),
        "approved": Count("pk", filter=APPROVED),
        "rejected": Count("pk", filter=REJECTED),
        "expired": Count("pk", filter=Q(status=ApprovalStatus.EXPIRED)),
        "cancelled": Count("pk", filter=Q(status=ApprovalStatus.CANCELLED)),
        "pending": Count("pk", filter=Q(status=ApprovalStatus.PENDING)),
        "mean_decision": Avg(TOOK, filter=BY_PERSON),
        "sla_due": Count("pk", filter=SLA_DUE),
        "sla_met": Count("pk", filter=SLA_MET),
        **{f"risk_{level}": Count("pk", filter=Q(risk_level=level)) for level in RiskLevel},
        "median_decision": Percentile(TOOK, 0.5, filter=BY_PERSON),
        "p90_decision": Percentile(TOOK, 0.9, filter=BY_PERSON),
    }
    return figures


COSTS = {
    "cost_approved": Sum("estimated_cost", filter=APPROVED),
    "cost_rejected": Sum("estimated_cost", filter=REJECTED),
}


def costs_by_currency(approvals, key) -> tuple[dict, defaultdict]:
    """The estimated costs approved and rejected, in all and per value of `key`, in one query: added up within a
    currency only, each written with its currency's digits: ({"cost_approved": {"JPY": "9000", "USD": "10144.93"},
    "cost_rejected": {...}}, {group: the same}); a group without costs reads as empty ones."""
    rows = approvals.order_by().values(key=key, currency=APPROVAL_CURRENCY).annotate(**COSTS)
    totals, groups = defaultdict(Decimal), defaultdict(lambda: {name: {} for name in COSTS})
    for row in rows.order_by("currency"):
        for name in COSTS:
            if row[name] is not None:
                totals[name, row["currency"]] += row[name]
                groups[row["key"]][name][row["currency"]] = in_currency(row[name], row["currency"])
    in_all = {name: {} for name in COSTS}
    for (name, code), amount in sorted(totals.items()):
        in_all[name][code] = in_currency(amount, code)
    return in_all, groups


def in_currency(value: Decimal, currency: str) -> str:
    """`value` with the digits `currency` has: "9000" yen, "10144.93" dollars."""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-currencies.places(currency))))


def minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 3)


def compliance(figures: dict) -> float | None:
    return round(figures["sla_met"] / figures["sla_due"], 4) if figures["sla_due"] else None


def action_type_breakdown(approvals, costs: dict) -> dict:
    """Requests and outcomes per action type, with the cost approved per currency (`costs`: costs_by_currency's
    groups by action type)."""
    rows = (
        approvals.order_by()
        .values("action_type")
        .annotate(
            requests=Count("pk"),
            approved=Count("pk", filter=APPROVED),
            rejected=Count("pk", filter=REJECTED),
            standing=Count("pk", filter=UNDER_STANDING),
        )
    )
    return {
        row["action_type"]: {
            "requests": row["requests"],
            "approved": row["approved"],
            "rejected": row["rejected"],
            "approved_under_standing": row["standing"],  # hitl.services.standing: no person decided them then
            "cost_approved": costs[row["action_type"]]["cost_approved"],
        }
        for row in rows
    }


def top_approvers(decisions, viewer=None) -> list[dict]:
    """Who made most of `decisions` (a period's: `decided_between`). The stored rows name them by id only (an address
    kept there would outlive an erasure); a report read by `viewer` adds each one's address as they may see it: their
    own in full, others masked."""
    fields = ["approver_id", "approver__email"] if viewer is not None else ["approver_id"]
    rows = (
        decisions.filter(approver__isnull=False)
        .exclude(via=HITLDecision.Via.STANDING)  # given earlier, not decided then (hitl.services.standing)
        .values(*fields)
        .annotate(
            decisions=Count("pk"),
            approved=Count("pk", filter=Q(decision=HITLDecision.Decision.APPROVE)),
            rejected=Count("pk", filter=Q(decision=HITLDecision.Decision.REJECT)),
        )
        .order_by("-decisions", "approver__first_name", "approver__last_name", "approver_id")[:TOP_APPROVERS]
    )
    return [
        {
            "approver_id": str(row["approver_id"]),
            **({} if viewer is None else {"email": _shown(row["approver__email"], row["approver_id"], viewer)}),
            "decisions": row["decisions"],
            "approved": row["approved"],
            "rejected": row["rejected"],
        }
        for row in rows
    ]


def _shown(email: str, person_id, viewer) -> str:
    return shown_email(email, own=person_id == viewer.pk, revealed=False)


def requested_between(tenant_id, start, end):
    return HITLApproval.objects.filter(tenant_id=tenant_id, requested_at__gte=start, requested_at__lt=end)


def decided_between(tenant_id, start, end):
    """Read through the decisions' (tenant, decided_at) index: the period's decisions alone."""
    return HITLDecision.objects.filter(tenant_id=tenant_id, decided_at__gte=start, decided_at__lt=end)


def recompute_period(tenant, kind: str, start) -> HITLAnalytics:
    """Compute one period of one tenant and replace its row (safe to run any number of times)."""
    period = bounds(start, kind, zone_of(tenant))
    approvals = requested_between(tenant.pk, *period)
    figures = aggregate(approvals, figure_expressions())
    costs, by_action = costs_by_currency(approvals, F("action_type"))
    values = {
        "total_requests": figures["requests"],
        "total_approved": figures["approved"],
        "total_rejected": figures["rejected"],
        "total_expired": figures["expired"],
        "total_cancelled": figures["cancelled"],
        "total_pending": figures["pending"],
        "avg_decision_minutes": minutes(figures["mean_decision"]),
        "median_decision_minutes": minutes(figures["median_decision"]),
        "p90_decision_minutes": minutes(figures["p90_decision"]),
        "sla_compliance_rate": compliance(figures),
        **{f"{level}_risk_count": figures[f"risk_{level}"] for level in RiskLevel},
        "action_type_breakdown": action_type_breakdown(approvals, by_action),
        **costs,  # cost_approved, cost_rejected: per currency
        "top_approvers": top_approvers(decided_between(tenant.pk, *period)),
    }
    with transaction.atomic():
        row, _ = HITLAnalytics.objects.update_or_create(
            tenant=tenant, period_type=kind, period_start=start, defaults=values
        )
    return row


def request_days(tenant, approval_ids) -> set:
    """The local days on which these approvals were requested."""
    return _local_days(tenant, HITLApproval.objects.filter(tenant_id=tenant.pk, pk__in=approval_ids), "requested_at")


def decision_days(tenant, since) -> set:
    """The local days on which the tenant's decisions made since `since` were made."""
    return _local_days(tenant, HITLDecision.objects.filter(tenant_id=tenant.pk, decided_at__gte=since), "decided_at")


def _local_days(tenant, rows, moment: str) -> set:
    return set(rows.annotate(day=TruncDate(moment, tzinfo=zone_of(tenant))).values_list("day", flat=True).distinct())


JOB = "approval_analytics"


def refresh_tenant(tenant, *, now=None) -> list[HITLAnalytics]:
    """Recompute every period (day, week, month) holding an approval with events since the watermark.

    Late outcomes (an expiry days later) change the period the approval was requested in,
    so the periods come from the changed approvals' request days, plus the days the decisions since were made on
    (their top approvers: a decision at 23:59 is first read by the run after midnight), plus today.
    """
    now = now or timezone.now()
    with job_lock(tenant.pk, JOB) as mark:
        if mark is None:
            return []
        since = mark.reached - LAG
        changed = PlatformEvent.objects.filter(
            tenant_id=tenant.pk, event_type__in=APPROVAL_EVENTS, created_at__gte=since
        ).values("subject_id")
        days = request_days(tenant, changed) | decision_days(tenant, since) | {now.astimezone(zone_of(tenant)).date()}
        periods = {(kind, start_of(day, kind)) for day in days for kind in PeriodType}
        rows = [recompute_period(tenant, kind, start) for kind, start in sorted(periods)]
        mark.reached = now
        mark.save(update_fields=["reached"])
    return rows
