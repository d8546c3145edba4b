"""Point 3: approval analytics per tenant per day, week and month, computed by the database."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics.events import record
from analytics.models import EventType, HITLAnalytics
from reports.approval_stats import recompute_period, refresh_tenant
from reports.periods import bounds
from tenants.models import User
from tests.analytics.conftest import PARIS, approval, decision, paris, utc
from tests.factories import UserFactory

DST_DAY = date(2025, 3, 30)  # Paris moves its clocks forward: the day lasts 23 hours
MINUTES = timedelta(minutes=1)


@pytest.fixture
def scenario(tenant, approver, second_approver, other_tenant):
    """Five people decisions of 10, 20, 30, 40 and 100 minutes on the DST day, plus the rest."""
    start = paris(2025, 3, 30, 0, 30)  # 23:30 UTC on the 29th: already the 30th in Paris
    deadline = timedelta(minutes=45)
    rows = [
        approval(tenant, requested_at=start, status="approved", took=10 * MINUTES, cost="100",
                 sla_deadline=start + deadline, risk_level="low"),
        approval(tenant, requested_at=start, status="executed", took=20 * MINUTES, cost="200",
                 sla_deadline=start + deadline, risk_level="low"),
        approval(tenant, requested_at=start, status="rejected", took=30 * MINUTES, cost="300",
                 sla_deadline=start + deadline, action_type="publish_content", risk_level="high"),
        approval(tenant, requested_at=start, status="rejected", took=40 * MINUTES, cost="400",
                 sla_deadline=start + deadline, action_type="publish_content", risk_level="high"),
        approval(tenant, requested_at=start, status="approved", took=100 * MINUTES, cost="500",
                 sla_deadline=start + deadline, sla_breached=True, risk_level="critical"),
    ]  # fmt: skip
    late = paris(2025, 3, 30, 23, 30)  # 21:30 UTC: the last hour of the short day
    approval(tenant, requested_at=late, status="expired", sla_deadline=late + deadline, sla_breached=True)
    approval(tenant, requested_at=late, status="pending", sla_deadline=late + deadline)  # not yet due
    approval(tenant, requested_at=late, status="cancelled")
    approval(tenant, requested_at=late, status="approved", decided_automatically=True, took=MINUTES, cost="50")
    approval(tenant, requested_at=paris(2025, 3, 31, 0, 30), status="pending")  # the next day
    approval(other_tenant, requested_at=start, status="approved", took=MINUTES)  # another tenant
    decision(rows[0], approver)
    decision(rows[1], approver)
    decision(rows[2], approver, "reject")
    decision(rows[3], second_approver, "reject")
    decision(rows[4], second_approver)
    decision(rows[4], UserFactory(tenant=tenant, role="approver", email="third@acme.test"))
    return rows


def test_a_dst_day_in_the_tenants_zone(tenant, scenario, approver, second_approver):
    start, end = bounds(DST_DAY, "day", PARIS)
    assert (start, end) == (utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)) and end - start == timedelta(hours=23)
    row = recompute_period(tenant, "day", DST_DAY)
    assert (row.total_requests, row.total_approved, row.total_rejected) == (9, 4, 2)
    assert (row.total_expired, row.total_cancelled, row.total_pending) == (1, 1, 1)
    assert row.avg_decision_minutes == 40  # people only: the automatic approval does not count
    assert row.median_decision_minutes == 30
    assert row.p90_decision_minutes == 76  # 40 + 0.6 * (100 - 40), PERCENTILE_CONT's interpolation
    assert row.sla_compliance_rate == 0.6667  # 4 in time of 6 due (5 decided by people, 1 expired)
    assert (row.low_risk_count, row.medium_risk_count, row.high_risk_count, row.critical_risk_count) == (2, 4, 2, 1)
    assert row.cost_approved == {"USD": "850.00"}  # 100 + 200 + 500 + 50, in dollars: the rows name no currency
    assert row.cost_rejected == {"USD": "700.00"}
    assert row.action_type_breakdown == {
        "set_budget": {
            "requests": 7,
            "approved": 4,
            "rejected": 0,
            "approved_under_standing": 0,
            "cost_approved": {"USD": "850.00"},
        },
        "publish_content": {
            "requests": 2,
            "approved": 0,
            "rejected": 2,
            "approved_under_standing": 0,
            "cost_approved": {},
        },
    }
    third = User.objects.get(email="third@acme.test")
    assert [(a["approver_id"], a["decisions"], a["approved"], a["rejected"]) for a in row.top_approvers] == [
        (str(approver.pk), 3, 2, 1),
        (str(second_approver.pk), 2, 1, 1),
        (str(third.pk), 1, 1, 0),
    ]
    assert "@" not in json.dumps(row.top_approvers)  # people by id: the stored row keeps no address


def test_recomputing_replaces_the_period(tenant, scenario):
    first = recompute_period(tenant, "day", DST_DAY)
    approval(tenant, requested_at=paris(2025, 3, 30, 12), status="pending")
    again = recompute_period(tenant, "day", DST_DAY)
    recompute_period(tenant, "day", DST_DAY)
    assert HITLAnalytics.objects.filter(tenant=tenant, period_type="day").count() == 1
    assert again.pk == first.pk and again.total_requests == first.total_requests + 1


def test_weeks_start_on_monday_and_months_on_the_first(tenant, scenario):
    week = recompute_period(tenant, "week", date(2025, 3, 24))  # Monday 24 to Sunday 30 March
    month = recompute_period(tenant, "month", date(2025, 3, 1))
    april = recompute_period(tenant, "month", date(2025, 4, 1))
    assert week.total_requests == 9  # the 31st belongs to the next week
    assert month.total_requests == 10
    assert april.total_requests == 0 and april.median_decision_minutes is None and april.sla_compliance_rate is None


def test_the_job_recomputes_the_periods_of_changed_approvals(tenant, scenario, time_machine):
    time_machine.move_to(utc(2025, 4, 2, 8), tick=False)
    assert {(r.period_type, r.period_start) for r in refresh_tenant(tenant)} >= {("day", date(2025, 4, 2))}
    HITLAnalytics.objects.all().delete()

    time_machine.move_to(utc(2025, 4, 2, 9), tick=False)
    late = scenario[0]
    record(EventType.APPROVAL_APPROVED, tenant=tenant, subject_id=late.pk)  # an outcome reached days later
    periods = {(r.period_type, r.period_start) for r in refresh_tenant(tenant)}
    assert periods == {
        ("day", DST_DAY), ("week", date(2025, 3, 24)), ("month", date(2025, 3, 1)),
        ("day", date(2025, 4, 2)), ("week", date(2025, 3, 31)), ("month", date(2025, 4, 1)),
    }  # fmt: skip
    assert HITLAnalytics.objects.get(period_type="day", period_start=DST_DAY).total_requests == 9


def test_top_approvers_are_who_decided_in_the_period(tenant, approver, second_approver):
    """A decision counts on the day it was made, as that day's work: asked for on the 1st, decided on the 2nd."""
    decision(approval(tenant, requested_at=paris(2025, 4, 1, 12), status="approved", took=timedelta(days=1)), approver)
    decision(approval(tenant, requested_at=paris(2025, 4, 1, 13), status="rejected", took=MINUTES), second_approver)
    first, second = (recompute_period(tenant, "day", date(2025, 4, day)) for day in (1, 2))
    assert (first.total_requests, second.total_requests) == (2, 0)
    assert [a["approver_id"] for a in first.top_approvers] == [str(second_approver.pk)]
    assert [a["approver_id"] for a in second.top_approvers] == [str(approver.pk)]


def test_the_job_recomputes_the_day_of_a_decision_made_before_midnight(tenant, approver, time_machine):
    """Decided at 23:59 on a request of two days before: the first run after midnight recomputes that day too."""
    asked = approval(tenant, requested_at=paris(2025, 4, 1, 9))
    time_machine.move_to(paris(2025, 4, 3, 23, 50), tick=False)
    refresh_tenant(tenant)
    decision(asked, approver, at=paris(2025, 4, 3, 23, 59))
    time_machine.move_to(paris(2025, 4, 4, 0, 1), tick=False)
    refresh_tenant(tenant)
    day = HITLAnalytics.objects.get(tenant=tenant, period_type="day", period_start=date(2025, 4, 3))
    assert [a["approver_id"] for a in day.top_approvers] == [str(approver.pk)]


def test_backfill_recomputes_every_period_since_a_day(tenant, other_tenant, scenario, time_machine):
    time_machine.move_to(utc(2025, 4, 1, 10), tick=False)
    out, err = StringIO(), StringIO()
    call_command("backfill_analytics", since="2025-03-29", tenant="acme", stdout=out, stderr=err)
    days = HITLAnalytics.objects.filter(tenant=tenant, period_type="day")
    assert sorted(days.values_list("period_start", flat=True)) == [date(2025, 3, d) for d in (29, 30, 31)] + [
        date(2025, 4, 1)
    ]
    assert days.get(period_start=DST_DAY).total_requests == 9
    assert not HITLAnalytics.objects.filter(tenant=other_tenant).exists()
    assert "acme: 0 conversations, 8 periods recomputed." in out.getvalue()
    assert "acme" in err.getvalue() and "100%" in err.getvalue()  # tqdm's progress bar
    call_command("backfill_analytics", since="2025-03-29", tenant="acme", stdout=out, stderr=err)
    assert HITLAnalytics.objects.filter(tenant=tenant).count() == 8  # 4 days, 2 weeks, 2 months: replaced


@pytest.mark.parametrize(
    "options, message",
    [
        ({"since": "30/03/2025"}, "YYYY-MM-DD"),
        ({"since": "2025-03-01", "tenant": "nobody"}, "No tenant"),
        ({"since": "2999-01-01"}, "after today"),
    ],
)
def test_backfill_refuses_bad_input(tenant, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("backfill_analytics", stdout=StringIO(), stderr=StringIO(), **options)
