"""A request nobody decided in time ends rejected, "No decision in time.": never approved by silence, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision
from hitl.services.sla import process_due
from tests.approval_requests.conftest import URL, ask, client_of
from tests.concurrency import at_once
from tests.factories import HITLWorkflowFactory


def later(filed, seconds=601):
    return HITLApproval.objects.get(pk=filed["id"]).requested_at + timedelta(seconds=seconds)


def test_an_unanswered_request_ends_rejected_with_no_decision_in_time(agent):
    filed = agent.post(URL, ask(expires_in=600), format="json").json()
    process_due(now=later(filed, 599))
    assert HITLApproval.objects.get(pk=filed["id"]).status == "pending"
    process_due(now=later(filed))
    body = agent.get(f"{URL}{filed['id']}/").json()
    assert body["status"] == "rejected"
    assert body["decision"]["type"] == "reject" and body["decision"]["note"] == "No decision in time."
    assert body["decision"]["decided_by"] == "Walker, on its own"


def test_a_workflow_that_approves_after_its_waiting_time_still_rejects_an_outside_request(agent, tenant):
    HITLWorkflowFactory(
        tenant=tenant, is_default=True, auto_approve_hours=1, approval_levels=[{"approvers": {"roles": ["approver"]}}]
    )
    filed = agent.post(URL, ask(expires_in=600), format="json").json()
    assert HITLApproval.objects.get(pk=filed["id"]).workflow_snapshot.get("auto_approve_hours") == 1
    process_due(now=timezone.now() + timedelta(hours=2))
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert approval.status == "rejected" and approval.approved_at is None and approval.execution_status == ""


@pytest.mark.postgres("two sweeps at once claim the expired request with SKIP LOCKED")
def test_two_sweeps_at_once_reject_it_once(postgres_only, tenant_admin, budget_type, approver):
    filed = client_of(tenant_admin).post(URL, ask(expires_in=600), format="json").json()
    when = later(filed)
    at_once(lambda: process_due(now=when), lambda: process_due(now=when))
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert approval.status == "rejected"
    assert HITLDecision.objects.filter(approval=approval).count() == 1
    assert HITLApprovalHistory.objects.filter(approval=approval, event_type="rejected").count() == 1
    process_due(now=when + timedelta(minutes=1))  # and once more, later: nothing changes
    assert HITLDecision.objects.filter(approval=approval).count() == 1
