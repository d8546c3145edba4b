"""Two people (or two workers) at the same instant, on real PostgreSQL connections."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services import approve, cancel, reject
from hitl.services.sla import process_due
from tests.concurrency import at_once

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.mark.parametrize("attempt", range(5))
def test_two_approvers_at_the_same_instant_give_one_outcome_and_one_execution(
    ask, approver, second_approver, campaign, attempt
):
    approval = ask()
    results = at_once(
        lambda: approve(approval.pk, actor=approver).pk, lambda: approve(approval.pk, actor=second_approver).pk
    )
    assert sorted(map(str, results)) == sorted([str(approval.pk), "not_pending"])
    approval = HITLApproval.objects.get(pk=approval.pk)
    assert approval.status == "executed" and approval.execution_attempts == 1
    assert approval.decisions.count() == 1
    assert HITLApprovalHistory.objects.filter(approval=approval, event_type="executed").count() == 1
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


@pytest.mark.parametrize("attempt", range(5))
def test_an_approval_and_a_rejection_at_once_give_exactly_one_outcome(
    ask, approver, second_approver, campaign, attempt
):
    approval = ask()
    at_once(
        lambda: approve(approval.pk, actor=approver), lambda: reject(approval.pk, actor=second_approver, reason="No")
    )
    approval = HITLApproval.objects.get(pk=approval.pk)
    assert approval.decisions.count() == 1
    campaign.refresh_from_db()
    if approval.status == "rejected":
        assert campaign.daily_budget == Decimal("500.00") and approval.executed_at is None
    else:
        assert approval.status == "executed" and campaign.daily_budget == Decimal("700.00")


@pytest.mark.parametrize("attempt", range(5))
def test_a_requester_cancelling_while_an_approver_approves_gives_exactly_one_outcome(
    ask, approver, requester, campaign, attempt
):
    approval = ask()
    results = at_once(
        lambda: cancel(approval.pk, actor=requester, reason="Changed my mind").status,
        lambda: approve(approval.pk, actor=approver).status,
    )
    approval = HITLApproval.objects.get(pk=approval.pk)
    campaign.refresh_from_db()
    if approval.status == "cancelled":
        assert results == ["cancelled", "not_pending"]
        assert approval.decisions.count() == 0 and campaign.daily_budget == Decimal("500.00")
    else:  # the approval returns before or after its execution ran (after commit, on the same thread)
        assert results[0] == "not_pending" and results[1] in ("approved", "executed")
        assert approval.status == "executed" and campaign.daily_budget == Decimal("700.00")
    ends = HITLApprovalHistory.objects.filter(approval=approval, event_type__in=["cancelled", "executed"])
    assert ends.count() == 1


def test_two_deadline_workers_never_process_the_same_approval(ask, approver):
    approvals = [ask(f"{700 + n}.00") for n in range(40)]  # 40 different asks (the same one is filed once)
    later = timezone.now() + timedelta(hours=25)  # past every SLA, before the end

    def scan():  # `now` is passed, not travelled to: time-machine patches the clock for every thread at once
        return process_due(now=later)["breached"]

    first, second = at_once(scan, scan)
    assert first + second == len(approvals)
    assert HITLApprovalHistory.objects.filter(event_type="sla_breached").count() == len(approvals)
