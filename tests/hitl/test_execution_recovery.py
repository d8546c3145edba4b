"""When an execution fails or its worker dies mid-call, an approver or admin can step in, and only then."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from agents.executors import ExecutionResult, LedgerExecutor
from agents.executors.webhook import WebhookExecutor
from hitl.errors import DecisionError
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import abandon_execution, retry_execution, run_execution
from tests.factories import UserFactory

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: the call never returns and nothing is recorded."""


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


def page(approval):
    return reverse("admin:hitl_hitlapproval_change", args=[approval.pk])


def decide(approval):
    return reverse("admin:hitl_hitlapproval_decide", args=[approval.pk])


@pytest.fixture
def stuck(ask, approver, hooked, monkeypatch, other_campaign):
    """An approved action whose worker died during the webhook call: claimed, running, silent (its own campaign:
    approving a request for `failed`'s would supersede that one)."""
    approval = ask(of=other_campaign)
    approve(approval.pk, actor=approver)

    def die(self, request):
        raise WorkerDied

    with monkeypatch.context() as patch:
        patch.setattr(WebhookExecutor, "execute", die)
        with pytest.raises(WorkerDied):
            run_execution(approval.pk, max_attempts=5)
    approval = fresh(approval)
    assert (approval.status, approval.execution_status, approval.execution_attempts) == ("executing", "running", 1)
    assert approval.execution_started_at is not None
    return approval


@pytest.fixture
def failed(ask, approver, campaign, monkeypatch):
    """An approved budget raise that the ledger refused (its campaign had vanished), since put right."""
    approval = ask()
    approve(approval.pk, actor=approver)
    gone = {**approval.action_data, "campaign_id": "00000000-0000-4000-8000-000000000000"}
    HITLApproval.objects.filter(pk=approval.pk).update(action_data=gone)
    with monkeypatch.context() as patch:  # the ledger even where a test also hooks a webhook
        patch.setattr("hitl.services.execution.get_executor", lambda request: LedgerExecutor())
        assert run_execution(approval.pk, max_attempts=5) == "failed"
    HITLApproval.objects.filter(pk=approval.pk).update(action_data={**gone, "campaign_id": str(campaign.pk)})
    return fresh(approval)


def later(minutes=16):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


# --- the services ------------------------------------------------------------------------------


def test_a_redelivered_task_does_not_touch_a_claimed_execution(stuck):
    assert run_execution(stuck.pk, max_attempts=5) == "skipped"  # it may still be running somewhere
    assert fresh(stuck).status == "executing"


def test_a_silent_execution_cannot_be_marked_failed_while_it_may_still_answer(stuck, tenant_admin):
    with pytest.raises(DecisionError) as err:
        abandon_execution(stuck.pk, actor=tenant_admin)
    assert err.value.code == "not_stuck" and "15 minutes" in err.value.detail
    assert fresh(stuck).status == "executing"


def test_after_the_deadline_an_admin_marks_it_failed_then_runs_it_again(stuck, tenant_admin, hooked):
    with later():
        abandon_execution(stuck.pk, actor=tenant_admin, reason="worker node rebooted")
    approval = fresh(stuck)
    assert (approval.status, approval.execution_status) == ("failed", "failed")
    assert "marked failed by" in approval.execution_error and "worker node rebooted" in approval.execution_error
    assert "may have applied it" in approval.execution_error
    (record,) = approval.history.filter(event_type="execution_abandoned")
    assert record.actor == tenant_admin and record.actor_role == "admin"

    hooked.expect_oneshot_request("/actions", method="POST").respond_with_json({"ok": True})
    retry_execution(approval.pk, actor=tenant_admin)
    assert run_execution(approval.pk, max_attempts=5) == "executed"
    ((request, _),) = hooked.log
    assert request.headers["Idempotency-Key"] == str(approval.pk)  # the receiver can drop a repeat
    assert fresh(approval).status == "executed"


def test_an_attempt_that_answers_after_it_was_given_up_changes_nothing(ask, approver, tenant_admin, monkeypatch):
    """A frozen worker wakes up after an admin marked its attempt failed: its answer is only recorded."""
    approval = ask()
    approve(approval.pk, actor=approver)

    def frozen_then_done(self, request):
        with later():
            abandon_execution(request.approval_id, actor=tenant_admin, reason="no news")
        return ExecutionResult(before={}, after={}, detail="applied by the receiver after all")

    monkeypatch.setattr("hitl.services.execution.get_executor", lambda request: WebhookExecutor())
    monkeypatch.setattr(WebhookExecutor, "execute", frozen_then_done)
    assert run_execution(approval.pk, max_attempts=5) == "superseded"
    approval = fresh(approval)
    assert (approval.status, approval.executed_at) == ("failed", None)
    (late,) = approval.history.filter(event_type="execution_late_answer")
    assert "answered after it was given up: done: applied by the receiver after all" in late.description


def test_only_a_running_execution_can_be_marked_failed(ask, approver, tenant_admin):
    pending = ask()
    with pytest.raises(DecisionError) as err:
        abandon_execution(pending.pk, actor=tenant_admin)
    assert err.value.code == "not_executing"


@pytest.mark.parametrize("who", ["requester", "outsider"])
def test_members_and_other_tenants_cannot_step_in(request, who, stuck, failed):
    actor = request.getfixturevalue(who)
    expected = "forbidden" if who == "requester" else "not_found"
    with later():
        for operation, approval in ((abandon_execution, stuck), (retry_execution, failed)):
            with pytest.raises(DecisionError) as err:
                operation(approval.pk, actor=actor)
            assert err.value.code == expected
    assert (fresh(stuck).status, fresh(failed).status) == ("executing", "failed")


# --- the API -----------------------------------------------------------------------------------


def test_the_api_retries_a_failed_action(api_as, approver, failed, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(approver).post(f"/api/hitl/approvals/{failed.pk}/retry/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"  # queued: it runs once the decision has committed
    assert fresh(failed).status == "executed"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


def test_the_api_refuses_what_the_services_refuse(api_as, approver, requester, stuck, failed):
    client = api_as(approver)
    early = client.post(f"/api/hitl/approvals/{stuck.pk}/mark-failed/", {"reason": "no news"}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "not_stuck")
    with later():
        done = client.post(f"/api/hitl/approvals/{stuck.pk}/mark-failed/", {"reason": "no news"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "failed"
    twice = client.post(f"/api/hitl/approvals/{stuck.pk}/mark-failed/")
    assert (twice.status_code, twice.json()["code"]) == (409, "not_executing")
    member = api_as(requester).post(f"/api/hitl/approvals/{failed.pk}/retry/")
    assert (member.status_code, member.json()["code"]) == (403, "forbidden")


# --- the admin ---------------------------------------------------------------------------------


def test_the_approval_page_offers_run_again_for_a_failed_action(
    console_as, approver, failed, campaign, django_capture_on_commit_callbacks
):
    client = console_as(approver)
    html = client.get(page(failed)).content.decode()
    assert 'data-testid="execution-panel"' in html and 'data-testid="retry"' in html
    assert failed.execution_error and failed.execution_error in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide(failed), {"decision": "retry"}, follow=True)
    assert f"{failed.reference} will run again." in response.content.decode()
    assert fresh(failed).status == "executed"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


def test_the_approval_page_offers_mark_failed_only_after_the_deadline(console_as, approver, stuck):
    client = console_as(approver)
    html = client.get(page(stuck)).content.decode()
    assert 'data-testid="abandon"' not in html and "it can be marked failed here" in html
    with later():
        assert 'data-testid="abandon"' in client.get(page(stuck)).content.decode()
        client.post(decide(stuck), {"decision": "abandon", "reason": "checked the receiver: nothing arrived"})
    approval = fresh(stuck)
    assert approval.status == "failed" and "nothing arrived" in approval.execution_error


def test_compliance_sees_the_execution_but_no_buttons(console_as, tenant, failed):
    compliance = UserFactory(tenant=tenant, role="compliance", email="compliance.person@acme.test")
    html = console_as(compliance).get(page(failed)).content.decode()
    assert 'data-testid="execution-panel"' in html and 'data-testid="retry"' not in html


def test_failed_actions_can_be_run_again_in_bulk_from_the_queue(
    console_as, approver, failed, ask, django_capture_on_commit_callbacks
):
    pending = ask("650.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = console_as(approver).post(
            QUEUE, {"action": "retry_selected", ACTION_CHECKBOX_NAME: [failed.pk, pending.pk]}, follow=True
        )
    html = response.content.decode()
    assert "1 approval queued to run again." in html
    assert f"{pending.reference}: Only a failed action can be retried" in html
    assert fresh(failed).status == "executed" and fresh(pending).status == "pending"


def test_the_console_refuses_bad_requests_with_a_message_and_changes_nothing(
    console_as, approver, tenant, failed, stuck
):
    client = console_as(approver)
    early = client.post(decide(stuck), {"decision": "abandon"}, follow=True).content.decode()
    assert "still within its 15 minutes to report back" in early
    unknown = client.post(decide(failed), {"decision": "explode"}, follow=True).content.decode()
    assert "Choose approve, reject, escalate, run again or mark failed." in unknown
    compliance = UserFactory(tenant=tenant, role="compliance", email="compliance.person@acme.test")
    refused = console_as(compliance).post(decide(failed), {"decision": "retry"}, follow=True).content.decode()
    assert "You may not decide approvals." in refused
    assert (fresh(stuck).status, fresh(failed).status) == ("executing", "failed")
