"""Point 5: CSV exports of the reports, the approval queue, conversations (masked) and the access log."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse

from hitl.models import HITLApproval
from hitl.resources import ApprovalResource
from reports.approval_stats import recompute_period
from reports.conversation_metrics import recompute
from tenants.exports import csv_chunks
from tenants.fields import hash_of
from tenants.models import AccessLog
from tests.analytics.conftest import approval, conversation, decision, exchange, paris, utc

DAY = {"start": "2025-03-21", "end": "2025-03-21"}


def rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def talk(colleague, outsider):
    conv = conversation(colleague, started_at=utc(2025, 3, 21, 9))
    exchange(
        conv, utc(2025, 3, 21, 9), wait=timedelta(seconds=2), text="Call me on +1 415 555 0123 or mail pat@home.test"
    )
    conversation(outsider, started_at=utc(2025, 3, 21, 9))
    return conv


def test_conversations_are_masked_for_everyone_by_default(api_as, support, talk):
    (row,) = rows(api_as(support).get("/api/analytics/exports/conversations/", DAY))
    assert row["id"] == str(talk.pk) and row["channel"] == "Chat" and row["messages"] == "2"
    assert row["person"] == "c•••@acme.test"
    assert "pat@home.test" not in row["transcript"] and "[email]" in row["transcript"]
    assert "415 555" not in row["transcript"] and "[phone]" in row["transcript"]
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.sensitivity, log.object_id) == (support, "exported", "normal", "export")


def test_compliance_may_reveal_and_it_is_recorded_high(api_as, compliance, talk):
    (row,) = rows(
        api_as(compliance).get(
            "/api/analytics/exports/conversations/", {**DAY, "reveal": "1", "reason": "subject access request"}
        )
    )
    assert row["person"] == "colleague@acme.test" and "pat@home.test" in row["transcript"]
    log = AccessLog.objects.get()
    assert (log.action, log.sensitivity) == ("pii_accessed", "high")


def test_revealing_without_view_pii_is_refused(api_as, support, tenant_admin, talk):
    for user in (support, tenant_admin):
        response = api_as(user).get(
            "/api/analytics/exports/conversations/", {**DAY, "reveal": "1", "reason": "subject access request"}
        )
        assert response.status_code == 403 and response.json()["code"] == "pii_forbidden"
    assert not AccessLog.objects.exists()


def test_roles_without_conversations_cannot_export_them(api_as, approver, colleague, talk):
    assert api_as(approver).get("/api/analytics/exports/conversations/", DAY).status_code == 403
    assert api_as(colleague).get("/api/analytics/exports/conversations/", DAY).status_code == 403


def test_the_approval_queue_with_its_filters(api_as, approver, colleague, tenant, other_tenant):
    at = paris(2025, 3, 21, 9)
    waiting = approval(tenant, requested_at=at, status="pending", risk_level="high", action_type="publish_content")
    approval(tenant, requested_at=at, status="pending", risk_level="low")
    approval(tenant, requested_at=at, status="rejected", risk_level="high")
    approval(other_tenant, requested_at=at, status="pending", risk_level="high")
    client = api_as(approver)
    found = rows(client.get("/api/hitl/approvals/export/", {"status": "pending", "risk_level": "high"}))
    assert [r["reference"] for r in found] == [waiting.reference]
    assert found[0]["action_type"] == "Publish content" and found[0]["status"] == "Pending"
    assert len(rows(client.get("/api/hitl/approvals/export/"))) == 3
    assert client.get("/api/hitl/approvals/export/", {"risk_level": "extreme"}).status_code == 400
    refused = api_as(colleague).get("/api/hitl/approvals/export/")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_queue_names_who_asked_when_no_person_did(api_as, approver, tenant):
    at = paris(2025, 3, 21, 9)
    rule = approval(tenant, requested_at=at, requested_by=None, requested_by_rule="High CPA")
    recommendation = approval(
        tenant, requested_at=at, requested_by=None, requested_by_rule="Google Ads recommendations",
        requested_by_automation="recommendation",
    )  # fmt: skip
    found = {r["reference"]: r["requested_by"] for r in rows(api_as(approver).get("/api/hitl/approvals/export/"))}
    assert found[rule.reference] == "the rule “High CPA”"
    assert found[recommendation.reference] == "Google Ads recommendations"


def test_the_access_log(api_as, tenant_admin, approver, outsider, rf, tenant, other_tenant):
    from tenants.privacy.audit import record_access

    for user, where in ((tenant_admin, tenant), (outsider, other_tenant)):
        request = rf.get("/admin/tenants/tenant/")
        request.user = user
        record_access(request, where, tenant=where)
    today = {"start": str(AccessLog.objects.first().created_at.date() - timedelta(days=1))}
    (row,) = rows(api_as(tenant_admin).get("/api/analytics/exports/access-log/", today))
    assert (row["actor"], row["action"], row["object_type"]) == (str(tenant_admin), "Viewed", "Tenant")
    assert row["actor_ref"] == hash_of("email", "admin@acme.test")
    assert api_as(approver).get("/api/analytics/exports/access-log/").status_code == 403


def test_both_reports(api_as, compliance, approver, tenant, colleague, talk):
    recompute([talk.pk])
    (row,) = rows(api_as(compliance).get("/api/analytics/conversations/export/", DAY))
    assert (row["conversation_id"], row["message_count"], row["first_response_ms"]) == (str(talk.pk), "2", "2000")
    assert row["agent_types"] == "Paid Ads"

    decided = approval(tenant, requested_at=paris(2025, 3, 21, 9), status="approved", took=timedelta(minutes=12))
    decision(decided, approver)
    recompute_period(tenant, "day", paris(2025, 3, 21).date())
    (day,) = rows(api_as(compliance).get("/api/analytics/hitl/export/", DAY))
    assert (day["period_type"], day["period_start"], day["total_approved"], day["median_decision_minutes"]) == (
        "Day", "2025-03-21", "1", "12.0",
    )  # fmt: skip
    assert str(approver.pk) in day["top_approvers"] and "@" not in day["top_approvers"]  # the approver by id only


def test_a_large_export_is_written_a_chunk_at_a_time(tenant):
    for n in range(5):
        approval(tenant, requested_at=paris(2025, 3, 21, 9, n), status="pending")
    chunks = list(csv_chunks(ApprovalResource(), HITLApproval.objects.order_by("requested_at"), chunk_rows=2))
    assert len(chunks) == 3 and chunks[0].startswith("reference,") and "reference" not in "".join(chunks[1:])
    assert len(list(csv.reader(io.StringIO("".join(chunks))))) == 6


FORMULAS = [
    '=HYPERLINK("http://x.test","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_that_would_run_as_a_formula_is_quoted_and_kept_whole(tenant, formula):
    """OWASP's rule: a leading single quote, nothing deleted (the library's own escaping deleted a leading "=")."""
    approval(tenant, requested_at=paris(2025, 3, 21, 9), action_type=formula)
    [row] = csv.DictReader(io.StringIO("".join(csv_chunks(ApprovalResource(), HITLApproval.objects.all()))))
    assert row["action_type"] == "'" + formula


@pytest.mark.parametrize("plain", ["-12.50", "+3", "Raise Brand - Search to $400", "a=b"])
def test_numbers_and_text_that_only_contain_the_signs_are_left_alone(tenant, plain):
    approval(tenant, requested_at=paris(2025, 3, 21, 9), action_type=plain)
    [row] = csv.DictReader(io.StringIO("".join(csv_chunks(ApprovalResource(), HITLApproval.objects.all()))))
    assert row["action_type"] == plain


def test_an_empty_export_still_has_its_header(tenant):
    assert "".join(csv_chunks(ApprovalResource(), HITLApproval.objects.none())).startswith("reference,status")


# --- the admin's Export buttons ---------------------------------------------------------------


def test_admin_export_of_conversations_is_masked_and_streamed(console_as, compliance, talk):
    client = console_as(compliance)
    response = client.post("/admin/conversations/conversation/export/", {"format": "0", "resource": "0"})
    (row,) = rows(response)
    assert row["person"] == "c•••@acme.test" and "pat@home.test" not in row["transcript"]
    assert AccessLog.objects.get().action == "exported"


def test_admin_export_of_the_queue_keeps_the_list_filters(console_as, approver, tenant):
    at = paris(2025, 3, 21, 9)
    approval(tenant, requested_at=at, status="pending")
    approval(tenant, requested_at=at, status="rejected")
    client = console_as(approver)
    response = client.post("/admin/hitl/hitlapproval/export/?status__exact=rejected", {"format": "0", "resource": "0"})
    assert [r["status"] for r in rows(response)] == ["Rejected"]


def test_admin_export_of_the_access_log_needs_its_view_permission(console_as, approver, tenant_admin):
    assert console_as(approver).get("/admin/tenants/accesslog/export/").status_code == 403
    assert console_as(tenant_admin).get("/admin/tenants/accesslog/export/").status_code == 200


def test_exports_cost_the_same_queries_whatever_their_size(api_as, support, approver, colleague, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def costs():
        counts = []
        for user, path in (
            (approver, "/api/hitl/approvals/export/"),
            (support, "/api/analytics/exports/conversations/"),
        ):
            client = api_as(user)  # one client, signed in as each in turn
            with CaptureQueriesContext(connection) as captured:
                rows(client.get(path, DAY if "conversations" in path else {}))
            # the caller's permissions are cached on the user after the first call: not the export's cost
            counts.append(sum("auth_permission" not in q["sql"] for q in captured.captured_queries))
        return counts

    def add(count):
        for n in range(count):
            at = utc(2025, 3, 21, 9, n)
            approval(tenant, requested_at=at, status="rejected", approved_by=approver, rejected_by=approver)
            exchange(conversation(colleague, started_at=at), at, wait=timedelta(seconds=1))

    add(2)
    few = costs()
    add(20)
    assert costs() == few


# --- one click from the list (issue 30, points 9 and 7) ----------------------------------------------------------


def test_the_lists_export_button_downloads_at_once_with_the_lists_filters(console_as, approver, tenant):
    at = paris(2025, 3, 21, 9)
    approval(tenant, requested_at=at, status="pending")
    rejected = approval(tenant, requested_at=at, status="rejected")
    client = console_as(approver)
    page = client.get("/admin/hitl/hitlapproval/", {"status__exact": "rejected"}).content.decode()
    link = html.unescape(re.search(r'href="(/admin/hitl/hitlapproval/export/[^"]*)"', page).group(1))
    assert "status__exact=rejected" in link
    (row,) = rows(client.get(link))  # no form in between: the click is the download
    assert row["reference"] == rejected.reference and row["status"] == "Rejected"
    assert row["action_type"] == "Set a campaign's daily budget" and row["agent_type"] == "Paid Ads"
    assert row["requested_at"] == "2025-03-21T09:00:00+01:00"  # ISO 8601 with the offset, in the tenant's zone


def test_one_click_conversations_are_masked_with_zoned_times(console_as, compliance, talk):
    (row,) = rows(console_as(compliance).get("/admin/conversations/conversation/export/"))
    assert row["person"] == "c•••@acme.test" and "pat@home.test" not in row["transcript"]
    assert row["started_at"] == "2025-03-21T10:00:00+01:00" and row["channel"] == "Chat"
    assert row["transcript"].startswith("2025-03-21T10:00+01:00 Customer: ")
    assert AccessLog.objects.get().action == "exported"


def test_api_exports_read_times_in_the_tenants_zone_too(api_as, approver, tenant):
    approval(tenant, requested_at=utc(2025, 7, 1, 12), status="pending")
    (row,) = rows(api_as(approver).get("/api/hitl/approvals/export/"))
    assert row["requested_at"] == "2025-07-01T14:00:00+02:00"


def test_the_access_log_export_names_object_types(api_as, tenant_admin, rf, tenant):
    from tenants.privacy.audit import record_access

    request = rf.get("/admin/tenants/tenant/")
    request.user = tenant_admin
    record_access(request, tenant, tenant=tenant)
    (row,) = rows(api_as(tenant_admin).get("/api/analytics/exports/access-log/"))
    assert (row["action"], row["object_type"]) == ("Viewed", "Tenant")
