"""The deadline sweep guards each approval: one that fails is rolled back alone, recorded, and left out after
a few sweeps, while the rest of the batch is handled (hitl.services.sla)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hitl.models import DeadlineFailure, HITLApproval, HITLApprovalHistory
from hitl.services import sla
from tests.concurrency import at_once
from tests.factories import CampaignFactory

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def three(ask, workflow, tenant, approver):
    """Three requests (one per campaign) that breach their SLA at START + 4 h."""
    workflow(sla_hours=4, escalation_hours=None, reminder_frequency_hours=None, expire_hours=12)
    with time_machine.travel(START, tick=False):
        return [ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))) for _ in range(3)]


@pytest.fixture
def broken(monkeypatch):
    """Make the sweep's step raise for the given approvals (with personal data in the message), as a bug would."""
    real_step = sla._step
    calls = []

    def breaking(*approvals):
        failing = {approval.pk for approval in approvals}

        def step(approval, now):
            calls.append(approval.pk)
            if approval.pk in failing:
                raise ValueError("cannot reach ana@example.com")
            return real_step(approval, now)

        monkeypatch.setattr(sla, "_step", step)
        return calls

    return breaking


def sweep(offset=5 * H):
    with time_machine.travel(START + offset, tick=False):
        return sla.process_due()


def test_one_failing_approval_leaves_the_others_handled_in_the_same_sweep(three, broken):
    failing, *others = three
    broken(failing)
    assert sweep() == {"breached": 2, "failed": 1}
    assert [HITLApproval.objects.get(pk=a.pk).sla_breached for a in three] == [False, True, True]
    # its own work was rolled back with it: no breach in its history
    assert not HITLApprovalHistory.objects.filter(approval=failing, event_type="sla_breached").exists()
    record = DeadlineFailure.objects.get(approval=failing)
    assert record.attempts == 1 and record.last_failed_at == START + 5 * H
    assert record.last_error.startswith("ValueError at ")
    assert "example.com" not in record.last_error  # the type and the place, never the message


def test_a_row_that_keeps_failing_is_left_out_after_its_attempts(three, broken):
    failing, *_ = three
    calls = broken(failing)
    for minute in range(sla.MAX_ATTEMPTS):
        assert sweep(5 * H + minute * timedelta(minutes=1))["failed"] == 1
    calls.clear()
    assert sweep(6 * H) == {}
    assert failing.pk not in calls  # not even tried again
    assert DeadlineFailure.objects.get(approval=failing).attempts == sla.MAX_ATTEMPTS


def test_a_failure_counts_once_per_sweep_even_across_batches(three, broken, monkeypatch):
    monkeypatch.setattr(sla, "BATCH_SIZE", 1)
    broken(three[0])
    assert sweep() == {"breached": 2, "failed": 1}
    assert DeadlineFailure.objects.get(approval=three[0]).attempts == 1


def test_a_success_after_a_failure_clears_the_record(three, broken, monkeypatch):
    failing, *_ = three
    broken(failing)
    sweep()
    monkeypatch.undo()  # the step works again
    assert sweep(6 * H) == {"breached": 1}
    assert not DeadlineFailure.objects.exists()


def test_the_left_out_rows_are_listed_for_the_operators(three, broken, client, superuser):
    failing, *_ = three
    broken(failing)
    for minute in range(sla.MAX_ATTEMPTS):
        sweep(5 * H + minute * timedelta(minutes=1))
    client.force_login(superuser)
    page = client.get(reverse("admin:hitl_deadlinefailure_changelist")).content.decode()
    assert failing.reference in page and "ValueError" in page


@pytest.mark.slow
def test_two_sweeps_at_once_handle_each_row_once_and_record_a_failure_once(
    postgres_only, ask, approver, tenant, broken
):
    approvals = [ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))) for _ in range(20)]
    broken(approvals[0])
    later = timezone.now() + timedelta(hours=25)  # past every SLA, before the end

    def scan():  # `now` is passed, not travelled to: time-machine patches the clock for every thread at once
        return sla.process_due(now=later)

    first, second = at_once(scan, scan)
    assert first["breached"] + second["breached"] == len(approvals) - 1
    assert first["failed"] + second["failed"] == 1
    assert HITLApprovalHistory.objects.filter(event_type="sla_breached").count() == len(approvals) - 1
    assert DeadlineFailure.objects.get(approval=approvals[0]).attempts == 1
