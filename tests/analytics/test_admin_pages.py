"""Point 6: the analytics pages: lists with unfold Chart.js charts of their filtered rows, and drill-down links."""

import html
import json
import re
from datetime import date, timedelta

import pytest

from reports.approval_stats import recompute_period
from reports.conversation_metrics import recompute
from tests.analytics.conftest import approval, conversation, exchange, paris, utc


def charts(response) -> list[dict]:
    """Each chart on the page: its kind, data and drill-down links."""
    page = response.content.decode()
    found = []
    for drill, kind, value in re.findall(
        r'data-drill="([^"]*)".*?<canvas class="chart"[^>]*data-type="(\w+)" data-value="([^"]*)"', page, flags=re.S
    ):
        found.append(
            {"kind": kind, "data": json.loads(html.unescape(value)), "links": json.loads(html.unescape(drill))}
        )
    return found


def test_approval_analytics_page(console_as, approver, tenant, other_tenant):
    approval(tenant, requested_at=paris(2025, 3, 30, 9), status="approved", took=timedelta(minutes=12))
    approval(tenant, requested_at=paris(2025, 3, 30, 9), status="rejected", took=timedelta(minutes=30))
    approval(tenant, requested_at=paris(2025, 3, 31, 9), status="pending")
    approval(other_tenant, requested_at=paris(2025, 3, 30, 9), status="expired")
    for day in (date(2025, 3, 30), date(2025, 3, 31)):
        recompute_period(tenant, "day", day)
    recompute_period(other_tenant, "day", date(2025, 3, 30))

    response = console_as(approver).get("/admin/analytics/hitlanalytics/", {"period_type__exact": "day"})
    assert response.status_code == 200
    outcomes, times = charts(response)
    assert outcomes["kind"] == "bar" and times["kind"] == "line"
    assert outcomes["data"]["labels"] == ["30 Mar 2025", "31 Mar 2025"]
    values = {d["label"]: d["data"] for d in outcomes["data"]["datasets"]}
    assert (values["Approved"], values["Rejected"], values["Pending"], values["Expired"]) == (
        [1, 0],
        [1, 0],
        [0, 1],
        [0, 0],
    )  # fmt: skip  (the other tenant's expiry is not here)
    assert {d["label"]: d["data"] for d in times["data"]["datasets"]}["Median"] == [21.0, None]
    rejected_30 = outcomes["links"][1][0]  # the DST day: 23:00 UTC on the 29th to 22:00 UTC on the 30th
    assert rejected_30 == (
        "/admin/hitl/hitlapproval/?requested_at__gte=2025-03-29T23%3A00%3A00%2B00%3A00"
        "&requested_at__lt=2025-03-30T22%3A00%3A00%2B00%3A00&status__exact=rejected"
    )
    followed = console_as(approver).get(rejected_30)
    assert followed.status_code == 200 and "?e=1" not in followed.get("Location", "")
    assert followed.context["cl"].result_count == 1

    ranged = console_as(approver).get(
        "/admin/analytics/hitlanalytics/",
        {"period_type__exact": "day", "period_start_from": "31/03/2025", "period_start_to": "31/03/2025"},
    )
    assert ranged.status_code == 200


@pytest.mark.slow
def test_conversation_metrics_page(console_as, support, colleague, tenant):
    for hour, wait in ((9, 2), (10, 6)):
        conv = conversation(colleague, started_at=utc(2025, 3, 21, hour))
        exchange(conv, utc(2025, 3, 21, hour), wait=timedelta(seconds=wait))
    recompute(list(tenant.conversations.values_list("pk", flat=True)))

    response = console_as(support).get("/admin/analytics/conversationmetrics/")
    assert response.status_code == 200
    volume, first_response = charts(response)
    assert {d["label"]: d["data"] for d in volume["data"]["datasets"]} == {"Resolved": [0], "Not resolved": [2]}
    assert {d["label"]: d["data"] for d in first_response["data"]["datasets"]} == {
        "Median": [4.0],
        "90th percentile": [5.6],
    }  # fmt: skip  (on the embedded SQLite too)
    day = volume["links"][1][0]
    assert "issue_resolved__exact=0" in day and "started_at__gte=2025-03-20T23%3A00" in day
    assert console_as(support).get(day).context["cl"].result_count == 2


def test_the_conversation_metrics_page_charts_resolution_time(console_as, support, colleague, tenant):
    for hour, minutes in ((9, 10), (10, 30), (11, 50)):
        start = utc(2025, 3, 21, hour)
        conv = conversation(colleague, started_at=start, status="closed", ended_at=start + timedelta(minutes=minutes))
        exchange(conv, start, wait=timedelta(seconds=2))
    conversation(colleague, started_at=utc(2025, 3, 21, 12))  # open: not resolved, not in the figures
    recompute(list(tenant.conversations.values_list("pk", flat=True)))

    *_, resolution = charts(console_as(support).get("/admin/analytics/conversationmetrics/"))
    assert resolution["kind"] == "line"
    assert {d["label"]: d["data"] for d in resolution["data"]["datasets"]} == {
        "Median": [30.0],
        "90th percentile": [46.0],  # minutes: 30 + 0.8 * 20
    }  # fmt: skip  (on the embedded SQLite too)


def test_roles_see_only_their_analytics_page(console_as, approver, support, tenant_admin):
    assert console_as(approver).get("/admin/analytics/conversationmetrics/").status_code == 403
    assert console_as(support).get("/admin/analytics/hitlanalytics/").status_code == 403
    for page in ("conversationmetrics", "hitlanalytics"):
        assert console_as(tenant_admin).get(f"/admin/analytics/{page}/").status_code == 200


def test_the_analytics_lists_export_csv(console_as, approver, tenant):
    import csv
    import io

    approval(tenant, requested_at=paris(2025, 3, 30, 9), status="approved", took=timedelta(minutes=12))
    recompute_period(tenant, "day", date(2025, 3, 30))
    response = console_as(approver).post(
        "/admin/analytics/hitlanalytics/export/?period_type__exact=day", {"format": "0", "resource": "0"}
    )
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert (row["period_start"], row["total_approved"], row["median_decision_minutes"]) == ("2025-03-30", "1", "12.0")


def test_the_conversations_an_agent_answered_in(console_as, support, colleague):
    seo_early = conversation(colleague, started_at=utc(2025, 3, 20, 9))
    exchange(seo_early, utc(2025, 3, 20, 9), wait=timedelta(seconds=1), agent_type="seo")
    handed_on = conversation(colleague, started_at=utc(2025, 3, 21, 9))  # SEO answered, then Paid Ads
    exchange(handed_on, utc(2025, 3, 21, 9), wait=timedelta(seconds=1), agent_type="seo")
    exchange(handed_on, utc(2025, 3, 21, 10), wait=timedelta(seconds=1), agent_type="paid_ads")
    ads_only = conversation(colleague, started_at=utc(2025, 3, 21, 9))
    exchange(ads_only, utc(2025, 3, 21, 9), wait=timedelta(seconds=1))

    def listed(**params):
        response = console_as(support).get("/admin/conversations/conversation/", params)
        assert response.status_code == 200 and "e=1" not in response.get("Location", "")
        return {row.pk for row in response.context["cl"].result_list}

    assert listed(answered_by="seo") == {seo_early.pk, handed_on.pk}
    assert listed(answered_by="paid_ads") == {handed_on.pk, ads_only.pk}
    window = {"answered_since": "2025-03-21T00:00:00+00:00", "answered_until": "2025-03-22T00:00:00+00:00"}
    assert listed(answered_by="seo", **window) == {handed_on.pk}
