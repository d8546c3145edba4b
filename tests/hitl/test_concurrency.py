"""Two people (or two workers) at the same instant, on real PostgreSQL connections."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hitl.errors import DecisionError
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.closing import cancel
from hitl.services.decisions import approve, reject
from hitl.services.execution import run_execution
from hitl.services.sla import process_due
from hitl.tasks import execute_approval
from tests.concurrency import at_once
from tests.factories import CampaignFactory

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


@pytest.mark.slow
def test_two_deadline_workers_never_process_the_same_approval(ask, approver, tenant):
    # 40 requests waiting together: one per campaign (a newer request for a campaign supersedes the waiting one)
    approvals = [ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))) for _ in range(40)]
    later = timezone.now() + timedelta(hours=25)  # past every SLA, before the end

    def scan():  # `now` is passed, not travelled to: time-machine patches the clock for every thread at once
        return process_due(now=later)["breached"]

    first, second = at_once(scan, scan)
    assert first + second == len(approvals)
    assert HITLApprovalHistory.objects.filter(event_type="sla_breached").count() == len(approvals)


# --- requests for one target (hitl.services.conflicts) ----------------------------------------------


@pytest.mark.parametrize("attempt", range(3))
def test_conflicting_requests_filed_at_once_leave_exactly_one_waiting(ask, campaign, attempt):
    amounts = [f"{610 + 10 * n}.00" for n in range(6)]
    filed = at_once(*(lambda amount=amount: ask(amount).reference for amount in amounts))
    assert None not in filed  # every request was filed: none raised
    approvals = HITLApproval.objects.filter(reference__in=filed)
    assert sorted(approvals.values_list("status", flat=True)) == ["pending"] + ["superseded"] * 5
    closed = HITLApprovalHistory.objects.filter(event_type="superseded")
    assert closed.count() == 5 and set(closed.values_list("approval__status", flat=True)) == {"superseded"}
    newest = approvals.get(status="pending")  # the last to be filed: it superseded the one waiting before it
    assert not newest.history.filter(event_type="superseded").exists()


@pytest.mark.parametrize("attempt", range(3))
def test_an_approval_and_a_newer_request_at_once_give_one_consistent_outcome(
    ask, approver, campaign, other_campaign, attempt
):
    older = ask("700.00")
    results = at_once(lambda: approve(older.pk, actor=approver).status, lambda: ask("900.00").reference)
    older = HITLApproval.objects.get(pk=older.pk)
    newer = HITLApproval.objects.get(reference=results[1])
    campaign.refresh_from_db()
    assert newer.status == "pending"
    if older.status == "superseded":  # the newer request came first: the approval found nothing waiting
        assert results[0] == "not_pending" and older.decisions.count() == 0
        assert newer.related_to == older and campaign.daily_budget == Decimal("500.00")
    else:  # the approval came first: the older one ran, and the newer waits for its own decision
        assert older.status == "executed" and campaign.daily_budget == Decimal("700.00")
        assert newer.related_to is None


@pytest.mark.parametrize("attempt", range(3))
def test_an_older_approved_request_never_runs_over_a_newer_one(
    ask, approver, second_approver, campaign, monkeypatch, attempt
):
    older = ask("700.00")
    with monkeypatch.context() as patch:  # approved, its task not yet taken by a worker
        patch.setattr(execute_approval, "delay", lambda *args, **kwargs: None)
        approve(older.pk, actor=approver)
    newer = ask("900.00")
    outcome, _ = at_once(
        lambda: run_execution(older.pk, max_attempts=5), lambda: approve(newer.pk, actor=second_approver)
    )
    older, newer = HITLApproval.objects.get(pk=older.pk), HITLApproval.objects.get(pk=newer.pk)
    campaign.refresh_from_db()
    assert newer.status == "executed" and campaign.daily_budget == Decimal("900.00")
    if outcome == "executed":  # the worker came first: the older ran, then the newer
        assert older.status == "executed" and older.executed_at < newer.executed_at
    else:
        assert (outcome, older.status, older.executed_at) == ("skipped", "superseded", None)


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvers_approving_every_request_for_a_campaign_at_once_run_one(
    ask, approver, second_approver, campaign, attempt
):
    asked = [ask(f"{610 + 10 * n}.00") for n in range(5)]

    def approve_all(actor):
        def run():
            done = []
            for approval in asked:
                try:
                    done.append(approve(approval.pk, actor=actor).reference)
                except DecisionError as refused:
                    assert refused.code == "not_pending"
            return done

        return run

    first, second = at_once(approve_all(approver), approve_all(second_approver))
    assert len(first + second) == 1
    executed = HITLApproval.objects.filter(status="executed")
    assert list(executed.values_list("reference", flat=True)) == [asked[-1].reference]
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("650.00")
