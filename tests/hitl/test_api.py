from decimal import Decimal

import pytest

from hitl.models import HITLApproval, HITLApprovalHistory, HITLWorkflow
from hitl.services.decisions import reject
from tenants.models import AccessLog
from tests.factories import UserFactory

LEVELS = [{"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1}]


def url(approval, verb=""):
    return f"/api/hitl/approvals/{approval.pk}/" + (f"{verb}/" if verb else "")


def test_approvers_list_their_tenants_queue_most_urgent_first(ask, api_as, approver, outsider):
    first, second = ask(), ask("800.00")
    HITLApproval.objects.filter(pk=second.pk).update(sla_deadline=first.sla_deadline.replace(year=2020))
    body = api_as(approver).get("/api/hitl/approvals/").json()
    assert [a["id"] for a in body["results"]] == [str(second.pk), str(first.pk)]
    assert api_as(outsider).get("/api/hitl/approvals/").json()["count"] == 0


def test_members_see_only_what_they_asked_for(ask, api_as, requester, tenant):
    mine = ask()
    ask("800.00", by=UserFactory(tenant=tenant))
    body = api_as(requester).get("/api/hitl/approvals/").json()
    assert [a["id"] for a in body["results"]] == [str(mine.pk)]


def test_filters(ask, api_as, approver, second_approver, workflow, other_campaign):
    pending = ask()
    rejected = ask("900.00", of=other_campaign)
    reject(rejected.pk, actor=second_approver, reason="No")
    HITLApproval.objects.filter(pk=rejected.pk).update(sla_breached=True)
    client = api_as(approver)

    def ids(query):
        return {a["id"] for a in client.get(f"/api/hitl/approvals/?{query}").json()["results"]}

    assert ids("status=pending") == {str(pending.pk)}
    assert ids("breached=true") == {str(rejected.pk)}
    assert ids(f"risk_level={pending.risk_level}") >= {str(pending.pk)}
    assert ids("assigned_to_me=true") == {str(pending.pk)}  # resolved ones have nobody left to decide
    assert client.get("/api/hitl/approvals/?risk_level=apocalyptic").status_code == 400


def test_detail_shows_decisions_history_and_risk_factors(ask, api_as, approver):
    approval = ask()
    body = api_as(approver).get(url(approval)).json()
    assert body["reference"] == approval.reference
    assert [h["event_type"] for h in body["history"]] == ["created"]
    assert {f["factor"] for f in body["risk_factors"]} >= {"budget_relative", "action_type"}


def test_another_tenants_approval_answers_404_for_every_verb(ask, api_as, outsider):
    approval = ask()
    client = api_as(outsider)
    assert client.get(url(approval)).status_code == 404
    for verb, payload in [("approve", {}), ("reject", {"reason": "x"}), ("escalate", {"reason": "x"}), ("cancel", {})]:
        assert client.post(url(approval, verb), payload, format="json").status_code == 404
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending"


def test_approve_through_the_api(ask, api_as, approver, campaign, django_capture_on_commit_callbacks):
    approval = ask()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(approver).post(url(approval, "approve"), {"notes": "ok"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved" and body["decisions"][0]["via"] == "api"  # it runs after the commit
    assert HITLApproval.objects.get(pk=approval.pk).status == "executed"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


def test_approve_with_edits_through_the_api(ask, api_as, approver):
    approval = ask()
    response = api_as(approver).post(
        url(approval, "approve"), {"edits": {"action_data": {"daily_budget": "650.00"}}}, format="json"
    )
    assert response.status_code == 200 and response.json()["action_data"]["daily_budget"] == "650.00"


@pytest.mark.parametrize(
    "verb, payload, field",
    [("reject", {}, "reason"), ("reject", {"reason": ""}, "reason"), ("escalate", {}, "reason")],
)
def test_reasons_are_required(ask, api_as, approver, verb, payload, field):
    approval = ask()
    response = api_as(approver).post(url(approval, verb), payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_decision_errors_have_clear_codes(ask, api_as, approver, requester, second_approver):
    approval = ask(by=approver)
    response = api_as(approver).post(url(approval, "approve"), {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_approval"
    api_as(second_approver).post(url(approval, "reject"), {"reason": "No"}, format="json")
    response = api_as(second_approver).post(url(approval, "approve"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_pending"


def test_the_requester_can_cancel_but_not_approve(ask, api_as, requester):
    approval = ask()
    client = api_as(requester)
    assert client.post(url(approval, "approve"), {}, format="json").status_code == 403
    assert client.post(url(approval, "escalate"), {"reason": "hurry"}, format="json").status_code == 403
    response = client.post(url(approval, "cancel"), {"reason": "Changed my mind"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_member_cancels_only_their_own_pending_request(ask, api_as, requester, colleague, approver, other_campaign):
    mine, theirs = ask(), ask("650.00", by=colleague, of=other_campaign)
    client = api_as(requester)
    refused = client.post(url(theirs, "cancel"), {}, format="json")
    assert refused.status_code == 404  # another member's request is not even visible
    assert HITLApproval.objects.get(pk=theirs.pk).status == "pending"
    assert client.post(url(mine, "cancel"), {"reason": "Not needed"}, format="json").json()["status"] == "cancelled"
    again = client.post(url(mine, "cancel"), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_pending"
    history = HITLApprovalHistory.objects.get(approval=mine, event_type="cancelled")
    assert history.actor == requester and "Not needed" in history.description


def test_a_decided_request_cannot_be_cancelled(ask, api_as, requester, approver):
    approval = ask()
    api_as(approver).post(url(approval, "reject"), {"reason": "No"}, format="json")
    response = api_as(requester).post(url(approval, "cancel"), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_pending"
    assert HITLApproval.objects.get(pk=approval.pk).status == "rejected"


def test_deciding_what_one_may_only_see_is_refused_in_plain_words(ask, api_as, requester):
    approval = ask()  # the requester sees their own request but does not decide it
    response = api_as(requester).post(url(approval, "escalate"), {"reason": "Faster, please"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "detail": "You may not decide this approval."}


def test_escalate_through_the_api(ask, api_as, approver, tenant_admin):
    approval = ask()
    response = api_as(approver).post(url(approval, "escalate"), {"reason": "Too big for me"}, format="json")
    assert response.status_code == 200 and response.json()["escalated_to"] == str(tenant_admin.pk)
    mine = api_as(tenant_admin).get("/api/hitl/approvals/?assigned_to_me=true").json()["results"]
    assert [a["id"] for a in mine] == [str(approval.pk)]


def test_tenant_admins_manage_workflows(api_as, tenant_admin, tenant):
    client = api_as(tenant_admin)
    response = client.post(
        "/api/hitl/workflows/",
        {"name": "Budgets", "action_types": ["set_budget"], "approval_levels": LEVELS, "sla_hours": 8},
        format="json",
    )
    assert response.status_code == 201, response.json()
    workflow = HITLWorkflow.objects.get()
    assert (workflow.tenant, workflow.created_by, workflow.sla_hours) == (tenant, tenant_admin, 8)
    assert client.get("/api/hitl/workflows/").json()["count"] == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"approval_levels": []}, "approval_levels"),
        ({"approval_levels": [{"approvers": {"roles": ["wizard"]}}]}, "approval_levels"),
        (
            {"approval_levels": LEVELS, "auto_approve_conditions": [{"field": "mood", "op": "eq", "value": 1}]},
            "auto_approve_conditions",
        ),
        ({"approval_levels": LEVELS, "notification_channels": ["pigeon"]}, "notification_channels"),
        ({"approval_levels": LEVELS, "min_cost_threshold": "500", "max_cost_threshold": "100"}, "max_cost_threshold"),
    ],
)
def test_unreadable_workflows_are_refused_with_the_reason(api_as, tenant_admin, payload, field):
    response = api_as(tenant_admin).post("/api/hitl/workflows/", {"name": "Bad", **payload}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not HITLWorkflow.objects.exists()


def test_only_tenant_admins_manage_workflows_and_only_their_own(api_as, approver, tenant_admin, outsider, workflow):
    own = workflow()
    assert api_as(approver).get("/api/hitl/workflows/").status_code == 403
    assert api_as(outsider).get(f"/api/hitl/workflows/{own.pk}/").status_code == 404
    assert api_as(outsider).delete(f"/api/hitl/workflows/{own.pk}/").status_code == 404
    assert HITLWorkflow.objects.filter(pk=own.pk).exists()


def test_a_second_active_default_workflow_is_refused(api_as, tenant_admin, workflow):
    workflow(is_default=True)
    response = api_as(tenant_admin).post(
        "/api/hitl/workflows/", {"name": "Another", "is_default": True, "approval_levels": LEVELS}, format="json"
    )
    assert response.status_code == 400 and "is_default" in response.json()


def test_in_app_notifications_are_listed_for_their_recipient_only(ask, api_as, approver, second_approver, outsider):
    approval = ask()
    mine = api_as(approver).get("/api/hitl/notifications/").json()["results"]
    assert [(n["approval_reference"], n["event"]) for n in mine] == [(approval.reference, "created")]
    assert api_as(outsider).get("/api/hitl/notifications/").json()["count"] == 0


# --- the people an approval names, as the reader may see them (issue 29, point 4) -------------------------------


@pytest.fixture
def compliance(tenant):
    return UserFactory(tenant=tenant, role="compliance", email="dpo@acme.test")


def _csv(response) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_approvers_see_requesters_masked_in_the_api_and_its_csv(ask, api_as, approver, second_approver):
    approval = ask()
    reject(approval.pk, actor=second_approver, reason="Not this month")
    client = api_as(approver)
    (listed,) = client.get("/api/hitl/approvals/").json()["results"]
    assert listed["requested_by"] == "r•••@acme.test"
    detail = client.get(url(approval)).json()
    assert detail["requested_by"] == "r•••@acme.test"
    assert {h["actor"] for h in detail["history"]} == {"r•••@acme.test", "a•••@acme.test"}
    assert [d["approver"] for d in detail["decisions"]] == ["a•••@acme.test"]
    (row,) = _csv(client.get("/api/hitl/approvals/export/"))
    assert (row["requested_by"], row["rejected_by"]) == ("r•••@acme.test", "a•••@acme.test")
    assert "requester@acme.test" not in str(listed) + str(detail) + str(row)
    assert not AccessLog.objects.exists()  # nothing was revealed


def test_requesters_and_deciders_see_their_own_address(ask, api_as, requester, second_approver):
    approval = ask()
    reject(approval.pk, actor=second_approver, reason="Not this month")
    assert api_as(requester).get(url(approval)).json()["requested_by"] == "requester@acme.test"
    (row,) = _csv(api_as(second_approver).get("/api/hitl/approvals/export/"))
    assert (row["requested_by"], row["rejected_by"]) == ("r•••@acme.test", "approver2@acme.test")


def test_a_reveal_names_requesters_in_full_and_is_recorded(ask, api_as, compliance):
    approval = ask()
    reveal = {"reveal": "1", "reason": "subject access request"}
    client = api_as(compliance)
    (listed,) = client.get("/api/hitl/approvals/", reveal).json()["results"]
    assert listed["requested_by"] == "requester@acme.test"
    assert client.get(url(approval), reveal).json()["requested_by"] == "requester@acme.test"
    (row,) = _csv(client.get("/api/hitl/approvals/export/", reveal))
    assert row["requested_by"] == "requester@acme.test"
    records = AccessLog.objects.order_by("created_at")
    assert [(r.action, r.sensitivity, r.reason) for r in records] == [
        ("pii_accessed", "high", "subject access request")
    ] * 3
    assert [r.object_type for r in records] == ["hitl.hitlapproval"] * 3


def test_a_reveal_needs_view_pii_and_a_reason(ask, api_as, approver, compliance):
    approval = ask()
    refused = api_as(approver).get(url(approval), {"reveal": "1", "reason": "curious"})
    assert refused.status_code == 403 and refused.json()["code"] == "pii_forbidden"
    unexplained = api_as(compliance).get("/api/hitl/approvals/export/", {"reveal": "1"})
    assert unexplained.status_code == 400 and "reason" in unexplained.json()
    assert not AccessLog.objects.exists()


def test_the_consoles_export_masks_requesters(ask, console_as, approver):
    ask()
    response = console_as(approver).post("/admin/hitl/hitlapproval/export/", {"format": "0", "resource": "0"})
    (row,) = _csv(response)
    assert row["requested_by"] == "r•••@acme.test"
