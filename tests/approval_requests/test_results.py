"""The agent reports how carrying out an approved request went: recorded once, on the approval as its outcome
(issue 49, point 2: `POST …/{id}/result/`)."""

import pytest

from hitl.history import Event
from hitl.models import ApprovalRequest, HITLApproval
from hitl.services.outside import Refused
from hitl.services.outside_results import report_result
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask, client_of
from tests.concurrency import at_once
from tests.metrics.conftest import Moves

DONE = {"outcome": "succeeded", "detail": "Summer Sale is at 700 a day in Google Ads."}


@pytest.fixture
def filed(agent):
    return agent.post(URL, ask(), format="json").json()


@pytest.fixture
def approved(approver_api, filed):
    assert approver_api.post(f"/api/hitl/approvals/{filed['id']}/approve/", {}, format="json").status_code == 200
    return filed


def report(agent, filed, body=DONE):
    return agent.post(f"{URL}{filed['id']}/result/", body, format="json")


def test_a_success_is_recorded_on_the_approval_and_read_back_by_the_agent(agent, approved):
    response = report(agent, approved)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["result"]["outcome"] == "succeeded"
    assert response.json()["result"]["detail"] == DONE["detail"] and response.json()["result"]["reported_at"]
    approval = HITLApproval.objects.get(pk=approved["id"])
    assert (approval.status, approval.execution_status) == ("executed", "succeeded")
    done = approval.history.get(event_type=Event.EXECUTED)
    assert "700 a day" in done.description
    assert agent.get(f"{URL}{approved['id']}/").json()["result"]["outcome"] == "succeeded"


def test_a_failure_is_recorded_with_the_agents_words(agent, approved):
    body = {"outcome": "failed", "detail": "Google Ads refused: the budget is shared."}
    assert report(agent, approved, body).status_code == 201
    approval = HITLApproval.objects.get(pk=approved["id"])
    assert (approval.status, approval.execution_status) == ("failed", "failed")
    assert approval.execution_error == body["detail"]
    assert agent.get(f"{URL}{approved['id']}/").json()["result"]["detail"] == body["detail"]


def test_a_failure_counts_under_one_label_for_every_tenant_defined_type(
    agent, approved, django_capture_on_commit_callbacks
):
    moves = Moves()
    with django_capture_on_commit_callbacks(execute=True):
        report(agent, approved, {"outcome": "failed", "detail": "Refused."})
    assert moves("walker_executions_failed_total", action_type="tenant_defined") == 1
    assert moves("walker_executions_failed_total", action_type="update_budget") == 0  # the tenant's name stays out


def test_the_same_report_again_is_the_same_answer_and_another_is_a_409(agent, approved):
    assert report(agent, approved).status_code == 201
    again = report(agent, approved)
    assert again.status_code == 200 and again.json()["result"]["outcome"] == "succeeded"
    other = report(agent, approved, {"outcome": "failed", "detail": "It did not work."})
    assert other.status_code == 409 and other.json()["code"] == "result_already_reported"
    assert HITLApproval.objects.get(pk=approved["id"]).history.filter(event_type=Event.EXECUTED).count() == 1


def test_nothing_is_reported_for_a_request_still_waiting_or_rejected(agent, approver_api, filed):
    waiting = report(agent, filed)
    assert waiting.status_code == 409 and waiting.json()["code"] == "not_approved"
    approver_api.post(f"/api/hitl/approvals/{filed['id']}/reject/", {"reason": "Not now"}, format="json")
    assert report(agent, filed).json()["code"] == "not_approved"  # a rejected action never ran
    assert HITLApproval.objects.get(pk=filed["id"]).status == "rejected"


def test_an_action_walker_carries_out_has_no_report_from_the_agent(agent, approver_api, tenant):
    tenant.action_webhook_url = "https://hooks.acme.test/walker"
    tenant.save()
    registered(tenant, key="pause_ad", runs_by="webhook")
    filed = agent.post(URL, ask(action="pause_ad"), format="json").json()
    approver_api.post(f"/api/hitl/approvals/{filed['id']}/approve/", {}, format="json")
    refused = report(agent, filed)
    assert refused.status_code == 409 and refused.json()["code"] == "runs_in_walker"


def test_only_the_agent_that_asked_reports_and_another_tenant_finds_nothing(
    agent, approved, tenant_admin, outsider, other_tenant
):
    other_agent = client_of(tenant_admin, name="Another agent")
    assert report(other_agent, approved).status_code == 403
    registered(other_tenant)
    assert report(client_of(outsider), approved).status_code == 404
    assert HITLApproval.objects.get(pk=approved["id"]).status == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "done", "detail": "Done"}, "outcome"),
        ({"outcome": "succeeded", "detail": "  "}, "detail"),
        ({"outcome": "succeeded", "detail": "x" * 2001}, "detail"),
        ({"outcome": "succeeded"}, "detail"),
    ],
)
def test_a_bad_report_is_a_400_naming_the_field_and_records_nothing(agent, approved, body, field):
    refused = report(agent, approved, body)
    assert refused.status_code == 400 and field in refused.json(), refused.json()
    assert HITLApproval.objects.get(pk=approved["id"]).status == "approved"


def test_a_token_without_the_request_scope_cannot_report(approved, tenant_admin):
    reader = client_of(tenant_admin, scopes=("read",), name="A dashboard")
    assert report(reader, approved).status_code == 403


@pytest.mark.postgres("two reports at once wait on the approval's row lock")
def test_two_reports_sent_at_once_record_one_outcome(postgres_only, agent, approver_api):
    filed = agent.post(URL, ask(), format="json").json()
    approver_api.post(f"/api/hitl/approvals/{filed['id']}/approve/", {}, format="json")
    asked = ApprovalRequest.objects.get(approval_id=filed["id"])

    def send(outcome):
        def call():
            try:
                return report_result(asked, outcome=outcome, detail=f"It {outcome}.")[1]
            except Refused as refused:
                return refused.code

        return call

    results = at_once(send("succeeded"), send("failed"))
    assert sorted(map(str, results)) == ["True", "result_already_reported"], results
    approval = HITLApproval.objects.get(pk=filed["id"])
    events = approval.history.filter(event_type__in=[Event.EXECUTED, Event.EXECUTION_FAILED]).count()
    assert approval.status in ("executed", "failed") and events == 1
