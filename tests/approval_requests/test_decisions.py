"""What the agent reads once a person decides: the type, the final args bound by their SHA-256, the note, who, when."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from hitl.models import HITLApproval
from hitl.services.outside import args_sha256
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask
from tests.factories import HITLWorkflowFactory


@pytest.fixture
def filed(agent):
    return agent.post(URL, ask(), format="json").json()


def decide(api, filed, verb, body):
    return api.post(f"/api/hitl/approvals/{filed['id']}/{verb}/", body, format="json")


def read(agent, filed, query=""):
    response = agent.get(f"{URL}{filed['id']}/{query}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_an_accept_carries_the_args_as_sent_and_who_approved_by_name(agent, approver_api, approver, filed):
    approver.first_name, approver.last_name = "Dana", "Reyes"
    approver.save()
    assert decide(approver_api, filed, "approve", {"notes": "Go"}).status_code == 200
    decision = read(agent, filed)["decision"]
    assert decision["type"] == "accept" and decision["args"] == ask()["args"] and decision["note"] == "Go"
    assert decision["args_sha256"] == args_sha256(ask()["args"]) == filed["args_sha256"]
    assert decision["decided_by"] == "Dana Reyes" and decision["decided_at"]


def test_an_edit_carries_the_edited_args_and_their_own_digest(agent, approver_api, filed):
    edits = {"action_data": {"amount": "500.00"}}
    assert decide(approver_api, filed, "approve", {"edits": edits}).status_code == 200, "approve with an edit"
    decision = read(agent, filed)["decision"]
    assert decision["type"] == "edit" and decision["args"]["amount"] == "500.00"
    assert decision["args_sha256"] == args_sha256(decision["args"]) != filed["args_sha256"]


def test_an_edit_changes_only_the_types_editable_fields(approver_api, filed):
    edits = {"action_data": {"campaign": "Winter Sale"}}
    response = decide(approver_api, filed, "approve", {"edits": edits})
    assert response.status_code == 400 and "campaign" in response.json()["detail"]
    assert HITLApproval.objects.get(pk=filed["id"]).action_data["campaign"] == "Summer Sale"


def test_a_reject_carries_the_reason(agent, approver_api, filed):
    decide(approver_api, filed, "reject", {"reason": "Over the quarter's budget"})
    body = read(agent, filed)
    assert body["status"] == "rejected"
    assert body["decision"]["type"] == "reject" and body["decision"]["note"] == "Over the quarter's budget"


def test_a_respond_carries_the_note_to_the_agent(agent, approver_api, filed):
    response = decide(approver_api, filed, "respond", {"note": "Propose 500 instead"})
    assert response.status_code == 200, response.content[:300]
    decision = read(agent, filed)["decision"]
    assert decision["type"] == "respond" and decision["note"] == "Propose 500 instead"


def test_a_respond_ends_an_outside_request_nobody_is_left_to_decide_and_no_clock_runs(agent, approver_api, filed):
    """The agent asks again with a new request; this one waits for nothing (a Walker agent's, by contrast, waits
    for its agent's revision: tests/hitl)."""
    decide(approver_api, filed, "respond", {"note": "Propose 500 instead"})
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert approval.status == "revising" and approval.resolved_at is not None
    assert not approval.assignees.exists()
    assert (approval.expires_at, approval.next_reminder_at, approval.escalation_due_at) == (None, None, None)


def test_a_decision_the_request_does_not_allow_is_refused(agent, approver_api):
    filed = agent.post(URL, ask(allowed_decisions=["accept", "reject"]), format="json").json()
    edits = {"action_data": {"amount": "500.00"}}
    assert decide(approver_api, filed, "approve", {"edits": edits}).json()["code"] == "decision_not_allowed"
    assert decide(approver_api, filed, "respond", {"note": "cheaper?"}).status_code == 403
    assert HITLApproval.objects.get(pk=filed["id"]).status == "pending"


def test_a_second_decision_is_a_409(approver_api, filed, tenant_admin):
    decide(approver_api, filed, "reject", {"reason": "no"})
    admin = APIClient()
    admin.force_authenticate(tenant_admin)
    assert decide(admin, filed, "approve", {}).status_code == 409
    assert HITLApproval.objects.get(pk=filed["id"]).status == "rejected"


def test_a_wait_returns_at_once_for_a_decided_request(agent, approver_api, filed):
    decide(approver_api, filed, "reject", {"reason": "no"})
    started = timezone.now()
    assert read(agent, filed, "?wait=30")["decision"]["type"] == "reject"
    assert (timezone.now() - started).total_seconds() < 1


@pytest.mark.slow  # it waits the shortest wait there is, a second
def test_a_wait_on_a_waiting_request_answers_when_the_time_is_up(agent, filed):
    started = timezone.now()
    body = read(agent, filed, "?wait=1")
    assert body["status"] == "pending" and body["decision"] is None
    assert 0.9 <= (timezone.now() - started).total_seconds() < 2


@pytest.mark.parametrize("wait", ["31", "-1", "soon"])
def test_a_wait_over_30_seconds_or_not_a_number_is_a_400(agent, filed, wait):
    response = agent.get(f"{URL}{filed['id']}/?wait={wait}")
    assert response.status_code == 400 and "wait" in response.json()


def test_the_list_is_paginated_and_filtered_by_status(agent, approver_api, filed):
    second = agent.post(URL, ask(args={"campaign": "Winter", "amount": 5}), format="json").json()
    decide(approver_api, second, "reject", {"reason": "no"})
    everything = agent.get(URL).json()
    assert everything["count"] == 2 and {row["id"] for row in everything["results"]} == {filed["id"], second["id"]}
    pending = agent.get(URL, {"status": "pending"}).json()
    assert [row["id"] for row in pending["results"]] == [filed["id"]]
    assert agent.get(URL, {"status": "thinking"}).status_code == 400


def test_an_accepted_action_the_agent_runs_is_not_run_by_walker(approver_api, filed):
    decide(approver_api, filed, "approve", {})
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert approval.status == "approved" and approval.execution_status == ""
    assert approval.execution_queued_at is None  # no task, and nothing for the recovery sweep to send again


def test_an_accepted_action_of_a_type_run_by_the_webhook_is_queued(agent, approver_api, tenant):
    tenant.action_webhook_url = "https://hooks.acme.test/walker"
    tenant.save()
    registered(tenant, key="pause_ad", runs_by="webhook")
    filed = agent.post(URL, ask(action="pause_ad"), format="json").json()
    decide(approver_api, filed, "approve", {})
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert approval.execution_status == "queued" and approval.execution_queued_at is not None


def test_a_workflows_automatic_rule_decides_an_outside_request_too(agent, tenant):
    HITLWorkflowFactory(
        tenant=tenant,
        is_default=True,
        approval_levels=[{"approvers": {"roles": ["approver"]}}],
        auto_reject_conditions=[{"field": "action_type", "op": "eq", "value": "update_budget"}],
    )
    body = agent.post(URL, ask(), format="json").json()
    assert body["status"] == "rejected"
    assert body["decision"]["type"] == "reject" and body["decision"]["decided_by"] == "Walker, on its own"
