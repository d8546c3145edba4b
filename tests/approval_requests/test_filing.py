"""POST /api/v1/approval-requests/: a request filed through the one request_approval, scored with the type's risk."""

from datetime import timedelta

import pytest

from hitl.models import ApprovalRequest, HITLApproval, HITLApprovalHistory
from hitl.presentation import the_ask
from hitl.services.outside import args_sha256
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask, client_of


def test_a_request_is_filed_as_an_approval_named_by_its_token_and_answered_202(agent):
    response = agent.post(URL, ask(context="https://ads.example/summer"), format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    approval = HITLApproval.objects.get(pk=body["id"])
    assert body["status"] == "pending" and approval.status == "pending"
    assert approval.action_type == "update_budget" and approval.agent_id is None
    assert body["agent"] == "LangGraph budget agent" and body["context"] == "https://ads.example/summer"
    assert body["wait_url"] == f"/api/v1/approval-requests/{approval.pk}/?wait=30"
    assert body["decision"] is None and body["allowed_decisions"] == ["accept", "edit", "respond", "reject"]
    assert body["args_sha256"] == args_sha256(ask()["args"])
    assert body["risk"]["score"] == approval.risk_score and len(body["risk"]["factors"]) == 7
    created = HITLApprovalHistory.objects.get(approval=approval, event_type="created")
    assert created.description.startswith("LangGraph budget agent proposed:")


def test_the_risk_reads_the_registered_types_base_risk_money_and_reach(agent):
    body = agent.post(URL, ask(), format="json").json()
    factors = {factor["factor"]: factor for factor in body["risk"]["factors"]}
    assert factors["action_type"]["points"] == 18 and "registered type" in factors["action_type"]["detail"]
    assert factors["reach"]["detail"] == "12,000 people reached" and factors["reach"]["points"] > 0
    assert "€700" in factors["budget_absolute"]["detail"]  # the type's currency, EUR
    approval = HITLApproval.objects.get(pk=body["id"])
    assert approval.estimated_cost == 700 and approval.estimated_reach == 12000


def test_the_request_expires_when_it_says_else_after_the_types_default(agent, budget_type):
    budget_type.default_expiry = timedelta(hours=2)
    budget_type.save(update_fields=["default_expiry"])
    mine = agent.post(URL, ask(expires_in=600), format="json").json()
    default = agent.post(URL, ask(args={"campaign": "Winter", "amount": 5}), format="json").json()
    first, second = (HITLApproval.objects.get(pk=body["id"]) for body in (mine, default))
    assert (first.expires_at - first.requested_at).total_seconds() == pytest.approx(600, abs=2)
    assert (second.expires_at - second.requested_at).total_seconds() == pytest.approx(7200, abs=2)


def test_allowed_decisions_are_kept_in_order_and_edit_needs_an_editable_field(agent, tenant):
    body = agent.post(URL, ask(allowed_decisions=["reject", "accept"]), format="json").json()
    assert body["allowed_decisions"] == ["accept", "reject"]
    registered(tenant, key="pause_ad", editable_fields=[])  # a type nobody may edit
    refused = agent.post(URL, ask(action="pause_ad", allowed_decisions=["edit"]), format="json")
    assert refused.status_code == 400 and "allowed_decisions" in refused.json()
    default = agent.post(URL, ask(action="pause_ad", args={"campaign": "B", "amount": 1}), format="json").json()
    assert default["allowed_decisions"] == ["accept", "respond", "reject"]
    assert ApprovalRequest.objects.count() == 2


def test_approvers_read_the_agent_as_the_requester_and_its_description_masked(agent):
    description = "Raise it; questions to dana@acme.test"
    body = agent.post(URL, ask(description=description), format="json").json()
    shown = the_ask(HITLApproval.objects.get(pk=body["id"]))
    assert shown.who == shown.agent == "LangGraph budget agent"
    assert shown.said.startswith("Raise it; questions to d") and "dana@acme.test" not in shown.said


def test_the_consoles_queue_names_the_agent_and_shows_its_description(agent, console_as, approver):
    agent.post(URL, ask(), format="json")
    page = console_as(approver).get("/admin/hitl/hitlapproval/")
    assert page.status_code == 200
    assert "LangGraph budget agent" in page.text and "it sold out yesterday by noon" in page.text


def test_the_approvals_api_names_the_agent_outside_walker(agent, approver_api):
    filed = agent.post(URL, ask(), format="json").json()
    shown = approver_api.get(f"/api/hitl/approvals/{filed['id']}/").json()
    assert shown["outside_agent"] == "LangGraph budget agent" and shown["agent_type"] == ""
    assert shown["requested_by"] is None
    listed = approver_api.get("/api/hitl/approvals/").json()["results"]
    assert [row["outside_agent"] for row in listed] == ["LangGraph budget agent"]


def test_the_agents_own_rejections_count_in_its_requester_history(agent, approver_api, tenant_admin):
    for campaign in ("A", "B", "C"):
        filed = agent.post(URL, ask(args={"campaign": campaign, "amount": 5}), format="json").json()
        approver_api.post(f"/api/hitl/approvals/{filed['id']}/reject/", {"reason": "no"}, format="json")
    body = agent.post(URL, ask(), format="json").json()
    history = next(factor for factor in body["risk"]["factors"] if factor["factor"] == "requester_history")
    assert history["points"] == 7.5 and history["detail"].startswith("3 rejected in the last 30 days; 3 requests")
    another = client_of(tenant_admin, name="Another agent").post(URL, ask(args={"campaign": "D", "amount": 5}))
    history = next(f for f in another.json()["risk"]["factors"] if f["factor"] == "requester_history")
    assert history["points"] == 0  # its own history, not the other agent's
