"""The approval report never adds yen to dollars (issue 46, point 6): an approval's estimated cost is in its
campaign's currency (action_data["currency"], US dollars when it names none), so /api/analytics/hitl/ gives the
approved and rejected costs per currency, in the totals and in each group; the stored approval analytics hold them
per currency too, and the admin column and the CSV export show them so."""

import csv
import io
from datetime import date, timedelta

import pytest

from analytics.events import record
from analytics.models import EventType, HITLAnalytics
from hitl.models import HITLApproval
from reports.approval_stats import recompute_period, refresh_tenant
from tests.analytics.conftest import approval, paris, utc

MIN = timedelta(minutes=1)


@pytest.fixture
def costs(tenant, other_tenant):
    at = paris(2025, 3, 21, 9)
    yen = {"campaign_name": "Tokyo Launch", "currency": "JPY"}
    approval(tenant, requested_at=at, status="approved", took=MIN, cost="10144.93")
    approval(tenant, requested_at=at, status="approved", took=MIN, cost="6000", action_data=yen)
    approval(tenant, requested_at=at, status="executed", took=MIN, cost="3000", action_data=yen)
    approval(tenant, requested_at=at, status="rejected", took=MIN, cost="500", action_data=yen)
    approval(tenant, requested_at=paris(2025, 3, 24, 9), status="approved", took=MIN, cost="20", action_data=yen)
    approval(other_tenant, requested_at=at, status="approved", took=MIN, cost="777", action_data=yen)


def test_approved_and_rejected_costs_are_per_currency(api_as, approver, costs):
    body = api_as(approver).get(
        "/api/analytics/hitl/", {"start": "2025-03-17", "end": "2025-03-30", "group_by": "week"}
    )

    assert body.status_code == 200
    totals = body.json()["totals"]
    assert totals["cost_approved"] == {"JPY": "9020", "USD": "10144.93"}  # never "19164.93"
    assert totals["cost_rejected"] == {"JPY": "500"}
    weeks = {g["key"]: (g["cost_approved"], g["cost_rejected"]) for g in body.json()["groups"]}
    assert weeks == {
        "2025-03-17": ({"JPY": "9000", "USD": "10144.93"}, {"JPY": "500"}),
        "2025-03-24": ({"JPY": "20"}, {}),
    }


def requested(tenant):
    """The approval events the aggregation job reads, one per approval of the tenant."""
    for row in HITLApproval.objects.filter(tenant=tenant):
        record(EventType.APPROVAL_REQUESTED, tenant=tenant, subject_id=row.pk)


def test_the_aggregation_job_stores_each_periods_costs_per_currency(tenant, costs, time_machine):
    time_machine.move_to(utc(2025, 3, 25, 8), tick=False)
    requested(tenant)

    refresh_tenant(tenant)

    rows = {(r.period_type, str(r.period_start)): r for r in HITLAnalytics.objects.filter(tenant=tenant)}
    day, week, month = rows["day", "2025-03-21"], rows["week", "2025-03-17"], rows["month", "2025-03-01"]
    assert day.cost_approved == week.cost_approved == {"JPY": "9000", "USD": "10144.93"}  # never "19144.93"
    assert day.cost_rejected == week.cost_rejected == {"JPY": "500"}
    assert month.cost_approved == {"JPY": "9020", "USD": "10144.93"}
    assert rows["day", "2025-03-25"].cost_approved == {} and rows["day", "2025-03-25"].cost_rejected == {}
    assert day.action_type_breakdown["set_budget"]["cost_approved"] == {"JPY": "9000", "USD": "10144.93"}


def test_the_admin_column_shows_each_currency_in_its_money(console_as, approver, tenant, costs):
    recompute_period(tenant, "day", date(2025, 3, 21))
    page = console_as(approver).get("/admin/analytics/hitlanalytics/", {"period_type__exact": "day"})
    html = page.content.decode()
    assert "$10,144.93 · ¥9,000" in html
    assert "19,144.93" not in html


def test_the_csv_export_writes_each_currency_in_one_cell(console_as, approver, tenant, costs):
    recompute_period(tenant, "day", date(2025, 3, 21))
    response = console_as(approver).post(
        "/admin/analytics/hitlanalytics/export/?period_type__exact=day", {"format": "0", "resource": "0"}
    )
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert row["cost_approved"] == "JPY 9000; USD 10144.93"
    assert row["cost_rejected"] == "JPY 500"
    assert "total_estimated_cost_approved" not in row
