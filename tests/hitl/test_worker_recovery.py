"""An approved action always runs or is visibly stuck, even when its worker is killed (issue 17, point 6).

A real Celery worker (its own process, the Redis broker, the test database) is killed
with SIGKILL while it holds a ledger execution open; the recovery sweep then sends the
execution again and a fresh worker carries it out.
"""

import signal
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from agents.models import Campaign
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.recovery import requeue_stalled
from tests.workers import wait_for


def waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the statistics stay frozen
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.slow
@pytest.mark.processes
def test_a_killed_worker_leaves_the_action_stuck_until_the_sweep_sends_it_again(
    broker, start_worker, ask, approver, api_as, campaign
):
    approval = ask()
    worker = start_worker()

    # Hold the campaign row, so the worker's ledger execution blocks inside its transaction.
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        approve_in_other_connection(approval, approver)
        wait_for(waiting_on_a_lock, "the worker to block on the campaign row")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    # The lock is released: the dead worker's database session finds its client gone and rolls back.
    wait_for(lambda: not waiting_on_a_lock(), "the dead worker's session to end")
    wait_for(lambda: not row_locked(approval), "the dead worker's row lock to go")

    approval = HITLApproval.objects.get(pk=approval.pk)
    assert (approval.status, approval.execution_status) == ("approved", "queued")
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("500.00")
    client = api_as(approver)
    assert client.post(f"/api/hitl/approvals/{approval.pk}/retry/").json()["code"] == "not_failed"
    assert client.post(f"/api/hitl/approvals/{approval.pk}/mark-failed/").json()["code"] == "not_executing"

    assert requeue_stalled() == 0  # within the grace period a task may just be waiting in the queue
    later = timezone.now() + timedelta(minutes=settings.EXECUTION_RECOVERY_MINUTES + 1)
    assert requeue_stalled(now=later) == 1
    assert requeue_stalled(now=later) == 0  # sent once; the next sweep waits for a new grace period

    start_worker()
    wait_for(lambda: HITLApproval.objects.get(pk=approval.pk).status == "executed", "the fresh worker to run it")
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("700.00")
    events = list(approval.history.values_list("event_type", flat=True))
    assert events.count("execution_requeued") == 1 and events[-1] == "executed"


def approve_in_other_connection(approval, approver):
    """Approve and commit from another thread's connection, as the console would, while this one holds the lock."""
    from threading import Thread

    errors = []

    def run():
        try:
            approve(approval.pk, actor=approver)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = Thread(target=run)
    thread.start()
    thread.join(30)
    assert not errors, errors


def row_locked(approval) -> bool:
    from django.db import DatabaseError

    try:
        with transaction.atomic():
            HITLApproval.objects.select_for_update(nowait=True).get(pk=approval.pk)
    except DatabaseError:
        return True
    return False
