import json
import threading
from decimal import Decimal

import pytest
from werkzeug import Response

from agents.executors import sign
from config.celery import app as celery_app
from hitl.errors import DecisionError
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.execution import retry_execution, run_execution
from hitl.tasks import execute_approval
from tests.factories import WEBHOOK_SECRET, UserFactory


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


@pytest.fixture
def approved(ask, approver):
    """An approved budget raise whose execution has not run yet (no on-commit callbacks here)."""
    approval = ask()
    approve(approval.pk, actor=approver)
    assert fresh(approval).status == "approved"
    return approval


def test_a_retried_or_duplicated_task_never_applies_twice(approved, campaign):
    assert execute_approval.delay(str(approved.pk)).get() == "executed"
    assert execute_approval.delay(str(approved.pk)).get() == "skipped"
    assert run_execution(approved.pk, max_attempts=5) == "skipped"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")
    assert fresh(approved).execution_attempts == 1


def test_execution_of_a_pending_or_rejected_approval_does_nothing(ask, approver, campaign):
    pending = ask()
    assert run_execution(pending.pk, max_attempts=5) == "skipped"
    HITLApproval.objects.filter(pk=pending.pk).update(status="rejected")
    assert run_execution(pending.pk, max_attempts=5) == "skipped"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_a_refused_change_fails_the_execution_and_an_admin_can_retry_it(approved, campaign, tenant_admin):
    data = approved.action_data
    gone = {**data, "campaign_id": "00000000-0000-4000-8000-000000000000"}  # no longer there at execution
    HITLApproval.objects.filter(pk=approved.pk).update(action_data=gone)
    assert run_execution(approved.pk, max_attempts=5) == "failed"
    approval = fresh(approved)
    assert approval.status == "failed" and "exist" in approval.execution_error
    with pytest.raises(DecisionError) as err:
        retry_execution(approved.pk, actor=UserFactory())  # a user of another tenant
    assert err.value.code == "not_found"
    HITLApproval.objects.filter(pk=approved.pk).update(action_data=data)  # the cause is fixed
    retry_execution(approved.pk, actor=tenant_admin)
    assert run_execution(approved.pk, max_attempts=5) == "executed"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


def test_only_failed_executions_can_be_retried(approved, tenant_admin):
    with pytest.raises(DecisionError) as err:
        retry_execution(approved.pk, actor=tenant_admin)
    assert err.value.code == "not_failed"


def test_the_webhook_receives_the_signed_action_once(approved, hooked, campaign):
    hooked.expect_oneshot_request("/actions", method="POST").respond_with_json({"ok": True})
    assert execute_approval.delay(str(approved.pk)).get() == "executed"
    assert execute_approval.delay(str(approved.pk)).get() == "skipped"
    ((request, _),) = hooked.log
    body = request.get_data()
    assert request.headers["X-Walker-Signature"] == sign(WEBHOOK_SECRET, request.headers["X-Walker-Timestamp"], body)
    assert request.headers["Idempotency-Key"] == str(approved.pk)
    assert json.loads(body)["action_data"]["daily_budget"] == "700.00"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")  # the tenant's system applies it, not Walker
    assert fresh(approved).status == "executed"


@pytest.fixture
def run_task(monkeypatch):
    """Run the task as a worker would: eager mode performs its retries at once, countdowns skipped."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)  # nested eager retries re-raise otherwise
    return lambda approval: execute_approval.apply(args=[str(approval.pk)])


def test_a_failing_webhook_is_retried_with_backoff_then_succeeds(run_task, approved, hooked):
    answers = iter([Response("busy", status=503), Response("busy", status=503), Response("{}", status=200)])
    hooked.expect_request("/actions", method="POST").respond_with_handler(lambda request: next(answers))
    run_task(approved)
    approval = fresh(approved)
    assert approval.status == "executed" and approval.execution_attempts == 3
    retries = approval.history.filter(event_type=HITLApprovalHistory.Event.EXECUTION_RETRIED)
    assert [entry.actor for entry in retries] == [None, None]  # the worker's own retries, nobody asked


def test_a_webhook_that_keeps_failing_ends_failed_and_can_be_retried(run_task, approved, hooked, tenant_admin):
    hooked.expect_request("/actions", method="POST").respond_with_data("down", status=500)
    run_task(approved)
    approval = fresh(approved)
    assert approval.status == "failed" and approval.execution_attempts == 5
    assert "500" in approval.execution_error
    hooked.clear()
    hooked.expect_request("/actions", method="POST").respond_with_json({"ok": True})
    retry_execution(approval.pk, actor=tenant_admin)
    run_task(approval)
    assert fresh(approval).status == "executed"


def test_a_permanent_webhook_refusal_fails_at_once(run_task, approved, hooked):
    hooked.expect_request("/actions", method="POST").respond_with_data("no such campaign", status=422)
    run_task(approved)
    approval = fresh(approved)
    assert approval.status == "failed" and approval.execution_attempts == 1


def test_a_duplicate_task_arriving_while_the_first_runs_does_nothing(postgres_only, hooked, ask, approver, monkeypatch):
    monkeypatch.setattr("hitl.services.decisions.queue_execution", lambda approval: [])  # we start both runs
    approved = ask()
    approve(approved.pk, actor=approver)
    entered, release = threading.Event(), threading.Event()

    def slow(request):
        entered.set()
        release.wait(5)
        return Response("{}", status=200)

    hooked.expect_request("/actions", method="POST").respond_with_handler(slow)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("first", run_execution(approved.pk, max_attempts=5)))
    worker.start()
    assert entered.wait(5)
    assert run_execution(approved.pk, max_attempts=5) == "skipped"
    release.set()
    worker.join(5)
    assert outcome["first"] == "executed" and len(hooked.log) == 1
