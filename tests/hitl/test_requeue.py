"""The recovery sweep and the admin action that send stalled executions to a worker again (issue 17, point 6)."""

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.recovery import requeue_stalled

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


@pytest.fixture
def lost(ask, approver):
    """Approved, but its task never reached a worker (the broker lost it with a killed worker)."""
    approval = ask()
    approve(approval.pk, actor=approver)
    stalled = dict(status="approved", execution_status="queued", execution_queued_at=timezone.now())
    HITLApproval.objects.filter(pk=approval.pk).update(**stalled)  # as a killed ledger run leaves it
    return HITLApproval.objects.get(pk=approval.pk)


def after_grace(settings, minutes=1):
    return timezone.now() + timedelta(minutes=settings.EXECUTION_RECOVERY_MINUTES + minutes)


def test_the_sweep_sends_a_lost_execution_again_once_per_grace_period(
    lost, settings, django_capture_on_commit_callbacks
):
    assert requeue_stalled() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled(now=after_grace(settings)) == 1
    assert HITLApproval.objects.get(pk=lost.pk).status == "executed"  # the eager worker ran it
    assert requeue_stalled(now=after_grace(settings, 30)) == 0


def test_a_retry_waiting_for_its_backoff_is_left_alone_for_the_backoff_too(lost, settings):
    HITLApproval.objects.filter(pk=lost.pk).update(status="executing", execution_status="retrying")
    assert requeue_stalled(now=after_grace(settings)) == 0
    assert requeue_stalled(now=after_grace(settings, 61)) == 1


def test_a_silent_webhook_attempt_is_not_sent_again(lost, settings):
    HITLApproval.objects.filter(pk=lost.pk).update(status="executing", execution_status="running")
    assert requeue_stalled(now=after_grace(settings, 600)) == 0


def test_an_execution_a_worker_holds_is_skipped(postgres_only, lost, settings):
    holding, release = threading.Event(), threading.Event()

    def worker():
        with transaction.atomic():
            HITLApproval.objects.select_for_update().get(pk=lost.pk)
            holding.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert requeue_stalled(now=after_grace(settings)) == 0
    finally:
        release.set()
        thread.join(10)


def test_an_approver_sends_it_again_from_the_queue(console_as, approver, lost, ask):
    pending = ask("800.00")
    response = console_as(approver).post(
        QUEUE, {"action": "requeue_selected", ACTION_CHECKBOX_NAME: [lost.pk, pending.pk]}, follow=True
    )
    page = response.content.decode()
    assert "1 approval sent to a worker again" in page and f"{pending.reference}: Only an approved action" in page
    assert list(lost.history.values_list("event_type", flat=True)).count("execution_requeued") == 1
