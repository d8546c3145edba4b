"""An outside change racing a waiting proposal (issue 51, point 8): a sync finds a campaign's budget changed on Google
while an approver approves the waiting budget change of the same campaign, each on its own connection. Whichever
locks the approval first, the approvers are told at most once and only while it waited, the approval is approved as
the approver asked (never decided for them), and its execution's pre-read refuses it: nothing is written over the
change made outside Walker."""

from dataclasses import replace

import pytest

from adplatforms import sync
from adplatforms.models import OutsideChange
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from tests.adplatforms.linked import connect, synced_campaign
from tests.adplatforms.test_outside_changes import budget_change, waiting_budget
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db
Event = HITLApprovalHistory.Event


def test_a_sync_finding_an_outside_change_while_the_approver_approves(
    postgres_only, tenant, requester, approver, monkeypatch
):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=650_000_000)  # someone in Google Ads
    memory.history.append(budget_change("111", 500_000_000, 650_000_000))

    run, decided = at_once(lambda: sync.sync_connection(connection), lambda: approve(approval.pk, actor=approver))

    assert run.status == "succeeded", run.error
    assert decided.approved_by == approver
    change = OutsideChange.objects.get()
    assert change.approvals_checked_at is not None
    events = list(
        HITLApprovalHistory.objects.filter(approval=approval).order_by("timestamp").values_list("event_type", flat=True)
    )
    told = [at for at, event in enumerate(events) if event == Event.TARGET_CHANGED]
    assert len(told) <= 1 and all(at < events.index(Event.APPROVED) for at in told)  # told only while it waited
    done = HITLApproval.objects.get(pk=approval.pk)
    assert done.status == "failed"
    assert "not the $500.00 the approver saw" in done.execution_error
    assert memory.remote["111"].daily_budget_units == 650_000_000
    assert not [call for call in memory.calls if call[0] == "set_daily_budget"]  # not even validated: refused before
