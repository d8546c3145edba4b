"""Requests that change the same target: the newer supersedes the older, by one rule (hitl.services.conflicts)."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from agents.actions import ProposedAction
from agents.engines.base import EngineReply
from conversations.models import Message
from conversations.normalized import InboundMessage
from hitl.errors import DecisionError
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.execution import retry_execution, run_execution
from hitl.services.requests import request_approval
from tests.factories import budget_action
from tests.pipeline import exchange


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


def statuses(*approvals):
    return [fresh(a).status for a in approvals]


def campaign_action(campaign, action_type):
    data = {"campaign_id": str(campaign.pk), "campaign_name": campaign.name}
    return ProposedAction(action_type, data, f"{action_type} {campaign.name}", confidence=0.9)


def test_ten_budget_requests_for_one_campaign_leave_the_newest_waiting(ask, campaign, other_campaign):
    asked = [ask(f"{600 + 10 * n}.00") for n in range(10)]
    elsewhere = ask("400.00", of=other_campaign)  # another campaign is another target
    assert statuses(*asked) == ["superseded"] * 9 + ["pending"]
    assert fresh(elsewhere).status == "pending"
    for older, newer in zip(asked, asked[1:], strict=False):
        closed = HITLApprovalHistory.objects.get(approval=older, event_type="superseded")
        assert closed.metadata == {"superseded_by": newer.reference} and closed.previous_status == "pending"
        assert fresh(newer).related_to_id == older.pk


def test_pause_and_resume_of_one_campaign_supersede_each_other(tenant, paid_ads, requester, campaign):
    def file(action_type):
        action = campaign_action(campaign, action_type)
        return request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)

    pause = file("pause_campaign")
    resume = file("resume_campaign")
    assert statuses(pause, resume) == ["superseded", "pending"]
    assert resume.related_to == pause


def test_approving_700_then_900_runs_only_the_newest(ask, approver, campaign, run_on_commit):
    """The issue's case: both were filed; approving one and then the other ran both."""
    seven, nine = ask("700.00"), ask("900.00")
    with pytest.raises(DecisionError) as refused, run_on_commit():
        approve(seven.pk, actor=approver)
    assert refused.value.code == "not_pending"
    assert refused.value.detail == f"{seven.reference} is already superseded; nothing changed."
    with run_on_commit():
        approve(nine.pk, actor=approver)
    assert statuses(seven, nine) == ["superseded", "executed"]
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("900.00")


def test_approving_a_request_supersedes_an_older_approved_one_that_has_not_run(
    ask, approver, second_approver, campaign, run_on_commit
):
    older = ask("700.00")
    approve(older.pk, actor=approver)  # approved; its task has not run yet (no commit in this test)
    newer = ask("900.00")  # nothing waits for the campaign now: filed, not superseding anything
    assert newer.related_to is None
    with run_on_commit():
        approve(newer.pk, actor=second_approver)
    older = fresh(older)
    assert (older.status, older.execution_status) == ("superseded", "")
    assert older.history.get(event_type="superseded").previous_status == "approved"
    assert run_execution(older.pk, max_attempts=5) == "skipped"  # its queued task arrives late
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("900.00") and fresh(newer).status == "executed"


def test_a_failed_older_request_is_superseded_and_cannot_be_run_again(
    ask, approver, second_approver, campaign, monkeypatch, run_on_commit
):
    older = ask("700.00")
    approve(older.pk, actor=approver)
    HITLApproval.objects.filter(pk=older.pk).update(
        action_data={**older.action_data, "campaign_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert run_execution(older.pk, max_attempts=5) == "failed"
    newer = ask("900.00")
    with run_on_commit():
        approve(newer.pk, actor=second_approver)
    assert statuses(older, newer) == ["superseded", "executed"]
    with pytest.raises(DecisionError) as refused:
        retry_execution(older.pk, actor=approver)
    assert refused.value.code == "not_failed"


def test_a_request_rejected_automatically_still_supersedes_the_waiting_one(ask, workflow):
    """A request is the requester's newest intent once filed, whatever a rule then decides about it."""
    workflow(auto_reject_conditions=[{"field": "estimated_cost", "op": "gt", "value": 50_000}])
    waiting = ask("700.00")
    refused = ask("5000.00", cost="135000")
    assert statuses(waiting, refused) == ["superseded", "rejected"]


def test_approve_selected_never_runs_two_requests_for_one_campaign(
    console_as, ask, approver, campaign, other_campaign, run_on_commit
):
    asked = [ask(f"{600 + 10 * n}.00") for n in range(10)]
    elsewhere = ask("400.00", of=other_campaign)
    chosen = [*asked, elsewhere]
    with run_on_commit():
        response = console_as(approver).post(
            reverse("admin:hitl_hitlapproval_changelist"),
            {"action": "approve_selected", "confirm": "1", ACTION_CHECKBOX_NAME: [str(a.pk) for a in chosen]},
            follow=True,
        )
    assert statuses(*asked) == ["superseded"] * 9 + ["executed"]
    assert fresh(elsewhere).status == "executed"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("690.00")
    html = response.content.decode()
    assert "2 approvals approved." in html
    assert f"{asked[0].reference}: {asked[0].reference} is already superseded; nothing changed." in html


def ask_in_chat(engine, user, action, text):
    engine.reply = EngineReply(text="Sure.", actions=[action])
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk))


def test_the_superseded_requester_is_told_on_their_channel(engine, colleague, requester, campaign):
    first = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"), "Raise Summer Sale to 700")
    second = ask_in_chat(engine, requester, budget_action(campaign, "900.00"), "Raise Summer Sale to 900")
    older, newer = first.actions[0], second.actions[0]
    told = first.conversation.messages.filter(direction=Message.Direction.OUTBOUND).order_by("-created_at").first()
    assert told.text == (
        f"Superseded: Raise Summer Sale daily budget to $700.00 ({older.reference}) will not be done. "
        f"The newer request {newer.reference} replaces it: Raise Summer Sale daily budget to $900.00."
    )
    assert told.metadata["status"] == "superseded" and told.metadata["reference"] == older.reference
    assert not second.conversation.messages.filter(metadata__status="superseded").exists()


def test_a_requester_changing_their_mind_in_one_conversation_is_told_both(engine, colleague, campaign):
    first = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"), "Raise Summer Sale to 700")
    second = ask_in_chat(engine, colleague, budget_action(campaign, "900.00"), "No, make it 900")
    assert second.conversation.pk == first.conversation.pk
    assert [a.status for a in second.actions] == ["pending"]
    assert fresh(HITLApproval.objects.get(reference=first.actions[0].reference)).status == "superseded"
    assert second.conversation.messages.filter(metadata__status="superseded").count() == 1
