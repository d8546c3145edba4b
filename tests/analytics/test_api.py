"""Point 4: /api/analytics/conversations/ and /hitl/: staff roles, tenant-scoped, days in the tenant's zone."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import ConversationAgent, ConversationMetrics
from reports.aggregates import has_percentiles
from tests.analytics.conftest import approval, decision, paris, utc

MIN = timedelta(minutes=1)


def metrics(tenant, started_at, *, channel="chat", agents=("paid_ads",), first_ms=None, resolved=False, **fields):
    row = ConversationMetrics.objects.create(
        tenant=tenant, conversation_id=uuid.uuid4(), channel=channel, agent_types=list(agents),
        started_at=started_at, first_response_ms=first_ms, issue_resolved=resolved, **fields,
    )  # fmt: skip
    for agent in agents:
        ConversationAgent.objects.create(metrics=row, tenant=tenant, agent_type=agent, started_at=started_at)
    return row


@pytest.fixture
def conversations(tenant, other_tenant):
    # 23:30 UTC on 20 March is 00:30 on the 21st in Paris
    metrics(tenant, utc(2025, 3, 20, 23, 30), first_ms=1000, resolved=True, message_count=4, hitl_approvals_count=1)
    metrics(tenant, utc(2025, 3, 21, 9), first_ms=2000, agents=("paid_ads", "seo"), message_count=6)
    metrics(tenant, utc(2025, 3, 21, 10), first_ms=3000, channel="whatsapp", agents=("seo",), resolved=True)
    metrics(tenant, utc(2025, 3, 21, 11), first_ms=10000, user_satisfaction_score=4)
    metrics(tenant, utc(2025, 3, 20, 12), first_ms=99, channel="email")  # the 20th in Paris: outside the range
    metrics(other_tenant, utc(2025, 3, 21, 9), first_ms=5)


def spread(mean, p50, p90) -> dict:
    """What the API answers, on PostgreSQL and on the embedded SQLite alike."""
    return {"mean": mean, "p50": p50, "p90": p90}


def get(client, path, **params):
    return client.get(f"/api/analytics/{path}/", params)


def test_conversations_by_channel_with_percentiles(api_as, compliance, conversations):
    body = get(api_as(compliance), "conversations", start="2025-03-21", end="2025-03-21", group_by="channel").json()
    assert (body["timezone"], body["start"], body["end"]) == ("Europe/Paris", "2025-03-21", "2025-03-21")
    totals = body["totals"]
    assert (totals["conversations"], totals["messages"], totals["resolved"], totals["hitl_approvals"]) == (4, 10, 2, 1)
    assert totals["first_response_ms"] == spread(4000.0, 2500.0, 7900.0)
    assert totals["resolution_rate"] == 0.5 and totals["satisfaction_avg"] == 4.0 and totals["rated"] == 1
    by_channel = {g["key"]: g for g in body["groups"]}
    assert {k: g["conversations"] for k, g in by_channel.items()} == {"chat": 3, "whatsapp": 1}
    assert by_channel["chat"]["first_response_ms"] == spread(4333.3, 2000.0, 8400.0)


def test_resolution_time_beside_first_response(api_as, compliance, tenant):
    """Median and p90 of how long resolved conversations took, start to end, on PostgreSQL and SQLite alike."""
    for hour, seconds, resolved in ((9, 600, True), (10, 1800, True), (11, 3600, True), (12, 60, False)):
        metrics(tenant, utc(2025, 3, 21, hour), resolved=resolved, duration_seconds=seconds)
    body = get(api_as(compliance), "conversations", start="2025-03-21", end="2025-03-21", group_by="day").json()
    assert body["totals"]["resolution_seconds"] == spread(2000.0, 1800.0, 3240.0)  # 1800 + 0.8 * 1800
    (day,) = body["groups"]
    assert day["resolution_seconds"] == body["totals"]["resolution_seconds"]


def test_conversations_by_agent_count_every_agent_that_answered(api_as, compliance, conversations):
    body = get(api_as(compliance), "conversations", start="2025-03-21", end="2025-03-21", group_by="agent").json()
    assert {g["key"]: g["conversations"] for g in body["groups"]} == {"paid_ads": 3, "seo": 2}
    only_seo = get(api_as(compliance), "conversations", start="2025-03-21", end="2025-03-21", agent="seo").json()
    assert only_seo["totals"]["conversations"] == 2


def test_conversations_by_day_in_the_tenants_zone(api_as, tenant_admin, conversations):
    body = get(api_as(tenant_admin), "conversations", start="2025-03-20", end="2025-03-22", group_by="day").json()
    assert [(g["key"], g["conversations"]) for g in body["groups"]] == [("2025-03-20", 1), ("2025-03-21", 4)]


def test_a_superuser_sees_every_tenant_in_utc(api_as, superuser, conversations):
    body = get(api_as(superuser), "conversations", start="2025-03-21", end="2025-03-21").json()
    assert body["timezone"] == "UTC" and body["totals"]["conversations"] == 4  # 3 + the other tenant's, UTC days


@pytest.fixture
def approvals(tenant, other_tenant, approver):
    at = paris(2025, 3, 21, 9)
    rows = [
        approval(tenant, requested_at=at, status="approved", took=10 * MIN),
        approval(tenant, requested_at=at, status="approved", took=20 * MIN),
        approval(tenant, requested_at=at, status="rejected", took=60 * MIN, action_type="publish_content"),
        approval(tenant, requested_at=paris(2025, 3, 24, 9), status="pending"),
    ]
    decision(rows[0], approver)
    approval(other_tenant, requested_at=at, status="approved", took=MIN)
    return rows


def test_hitl_by_action_type_and_week(api_as, approver, approvals):
    client = api_as(approver)
    body = get(client, "hitl", start="2025-03-17", end="2025-03-30", group_by="action_type").json()
    totals = body["totals"]
    assert (totals["requests"], totals["approved"], totals["rejected"], totals["pending"]) == (4, 2, 1, 1)
    assert totals["decision_minutes"] == spread(30.0, 20.0, 52.0)
    assert totals["top_approvers"][0]["email"] == "approver@acme.test"
    assert {g["key"]: g["requests"] for g in body["groups"]} == {"publish_content": 1, "set_budget": 3}
    weeks = get(client, "hitl", start="2025-03-17", end="2025-03-30", group_by="week").json()["groups"]
    assert [(g["key"], g["requests"]) for g in weeks] == [("2025-03-17", 3), ("2025-03-24", 1)]


def test_top_approvers_show_other_peoples_addresses_masked(api_as, compliance, approver, approvals):
    totals = get(api_as(compliance), "hitl", start="2025-03-17", end="2025-03-30").json()["totals"]
    assert totals["top_approvers"] == [
        {"approver_id": str(approver.pk), "email": "a•••@acme.test", "decisions": 1, "approved": 1, "rejected": 0}
    ]


def test_top_approvers_of_a_range_are_who_decided_in_it(api_as, approver, second_approver, approvals):
    """Whatever the range, its approvers are those who decided in it: the week after the requests, a late decision."""
    decision(approvals[3], second_approver, at=paris(2025, 3, 31, 9))
    client = api_as(approver)
    week = get(client, "hitl", start="2025-03-31", end="2025-04-06").json()["totals"]
    assert (week["requests"], [a["approver_id"] for a in week["top_approvers"]]) == (0, [str(second_approver.pk)])
    before = get(client, "hitl", start="2025-03-17", end="2025-03-30").json()["totals"]
    assert [a["approver_id"] for a in before["top_approvers"]] == [str(approver.pk)]
    filtered = get(client, "hitl", start="2025-03-17", end="2025-03-30", action_type="publish_content").json()
    assert filtered["totals"]["top_approvers"] == []  # the decision was on a budget: the filters hold for them too


@pytest.mark.postgres("PostgreSQL's plans")
def test_top_approvers_read_the_ranges_decisions_through_their_index(api_as, approver, approvals):
    """At a million approvals, joining every decision to the range's approvals was a read of the whole table."""
    with CaptureQueriesContext(connection) as captured:
        get(api_as(approver), "hitl", start="2025-03-17", end="2025-03-30")
    decisions = next(q["sql"] for q in captured if 'FROM "hitl_hitldecision"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows are rightly read from the table
        cursor.execute(f"EXPLAIN {decisions}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hitl_hitlde_tenant__adcae9_idx" in plan and "Seq Scan" not in plan, plan
    assert "hitl_hitlapproval" not in decisions  # the approvals' rows are not read again


def test_members_get_403(api_as, colleague):
    for path in ("conversations", "hitl"):
        response = get(api_as(colleague), path)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_signed_out_callers_are_refused(api_client):
    assert get(api_client, "hitl").status_code in (401, 403)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2025-03-22", "end": "2025-03-21"}, "end"),
        ({"start": "21/03/2025"}, "start"),
        ({"group_by": "planet"}, "group_by"),
        ({"start": "2020-01-01", "end": "2025-01-01"}, "end"),
    ],
)
def test_bad_queries_are_400_with_a_code(api_as, approver, params, field):
    response = get(api_as(approver), "hitl", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_query" and field in body["fields"] and field in body["detail"]


def test_the_reports_are_in_the_openapi_schema_with_examples(api_as, approver):
    schema = api_as(approver).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/analytics/conversations/", "/api/analytics/hitl/"):
        operation = schema["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"start", "end", "group_by"} <= names
        assert operation["responses"]["200"]["content"]["application/json"]["examples"]
        assert "403" in operation["responses"]
    assert "/api/hitl/approvals/export/" in schema["paths"]


def test_reports_cost_a_few_queries_whatever_the_rows(api_as, compliance, tenant, django_assert_max_num_queries):
    client = api_as(compliance)
    client.get("/api/analytics/hitl/")  # the caller's permissions cached, as in any later request
    calls = [("conversations", "agent"), ("conversations", "day"), ("hitl", "action_type"), ("hitl", "week")]

    def add(count):
        for n in range(count):
            metrics(tenant, utc(2025, 3, 21, 9, n), first_ms=n, agents=("paid_ads", "seo"))
            approval(tenant, requested_at=utc(2025, 3, 21, 9, n), status="approved", took=MIN * n)

    # totals, groups (and top approvers); without PERCENTILE_CONT, the values of each's percentiles too; approvals'
    # costs per currency and group (reports.approval_stats.costs_by_currency)
    most = 3 if has_percentiles(ConversationMetrics.objects.all()) else 5
    most = {"conversations": most, "hitl": most + 1}
    add(2)
    for path, group_by in calls:
        with django_assert_max_num_queries(most[path]):
            assert get(client, path, start="2025-03-01", end="2025-03-31", group_by=group_by).status_code == 200
    add(30)
    for path, group_by in calls:
        with django_assert_max_num_queries(most[path]):
            assert get(client, path, start="2025-03-01", end="2025-03-31", group_by=group_by).status_code == 200
