"""Records tell what was executed after edits; a repeated proposal is not filed twice; conflicts are linked."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections

from agents.engines.base import EngineReply
from conversations.normalized import InboundMessage
from conversations.services import with_current_status
from hitl.models import HITLApproval
from hitl.services import AlreadyWaiting, approve, reject, request_approval
from tests.factories import budget_action
from tests.pipeline import exchange

EDITED = "Raise Summer Sale daily budget from $500.00 to $650.00"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ask_in_chat(engine, user, action, text="Raise Summer Sale to 700"):
    engine.reply = EngineReply(text="Sure.", actions=[action])
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk))


def test_after_edits_every_record_says_what_was_executed(engine, colleague, approver, campaign, run_on_commit):
    result = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    approval_id = result.actions[0].approval_id
    with run_on_commit():
        approve(approval_id, actor=approver, edits={"action_data": {"daily_budget": "650.00"}})
    approval = HITLApproval.objects.get(pk=approval_id)
    assert approval.status == "executed" and approval.action_summary == EDITED
    edit = approval.history.get(event_type="edited")
    assert edit.changes["summary"] == ["Raise Summer Sale daily budget to $700.00", EDITED]  # the original stays
    [chip] = with_current_status(result.reply.metadata["actions"])  # what the chat shows beside the reply
    assert chip["summary"] == EDITED and chip["status"] == "executed"
    told = result.conversation.messages.order_by("-created_at").first()
    assert "$650.00" in told.text and "$700" not in told.text


def test_an_edited_summary_given_by_the_approver_wins(ask, approver, run_on_commit):
    approval = ask("700.00")
    with run_on_commit():
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "650.00"}, "summary": "Test $650"})
    assert HITLApproval.objects.get(pk=approval.pk).action_summary == "Test $650"


def test_asking_twice_files_one_approval_and_says_it_already_waits(engine, colleague, campaign):
    first = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"))
    second = ask_in_chat(engine, colleague, budget_action(campaign, "700.00"), text="Raise Summer Sale to 700 again")
    assert HITLApproval.objects.count() == 1
    reference = first.actions[0].reference
    assert second.actions[0].reference == reference and second.actions[0].already_waiting
    assert f"already waiting for approval ({reference})" in second.reply.text
    assert "I did not ask again" in second.reply.text


def test_once_decided_the_same_action_may_be_asked_again(ask, approver):
    first = ask("700.00")
    reject(first.pk, actor=approver, reason="Not now")
    again = ask("700.00")
    assert again.pk != first.pk and again.status == "pending"


def test_a_conflicting_proposal_is_filed_and_linked_to_the_first(ask, campaign):
    first = ask("700.00")
    second = ask("800.00")
    assert second.related_to == first and list(first.conflicting.all()) == [second]
    assert f"conflicts with {first.reference}" in second.history.get(event_type="created").description
    with pytest.raises(AlreadyWaiting) as waiting:  # identical to the first
        ask("700.00")
    assert waiting.value.approval == first


def test_two_identical_proposals_at_once_file_one_approval(postgres_only, tenant, requester, campaign, paid_ads):
    """Two workers filing the same proposal at the same moment: the unique index lets one through."""
    barrier, outcomes = threading.Barrier(2), []

    def file():
        try:
            barrier.wait()
            action = budget_action(campaign, "700.00", estimated_cost=Decimal("6000"))
            approval = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)
            outcomes.append(("filed", approval.reference))
        except AlreadyWaiting as waiting:
            outcomes.append(("waiting", waiting.approval.reference))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(kind for kind, _ in outcomes) == ["filed", "waiting"]
    assert len({reference for _, reference in outcomes}) == 1
    assert HITLApproval.objects.filter(status="pending").count() == 1
