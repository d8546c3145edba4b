"""daphne killed (SIGKILL) mid-conversation and started again on the same port (issue 29, point 7).

While it is down the worker finishes answering and a person approves the agent's proposal, so the conversation
moves on without its socket (the same person's tab on a second daphne stays open and follows live). The chat
client reconnects with its last seq (docs/chat-protocol.md) and gets every event it missed, once and in order,
then the conversation goes on: nothing lost, repeated or answered twice.
"""

from decimal import Decimal

import pytest

from agents.models import Campaign
from conversations.events import EventKind
from conversations.models import ConversationEvent, Message
from hitl.models import HITLApproval
from tests.factories import CampaignFactory
from tests.faults.harness import ChatSocket, api, budget_call
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.processes]

RAISE = "Raise the Summer Sale budget to $700 a day"


def received(tab, client_msg_id):
    return lambda frames: any(f.get("client_msg_id") == client_msg_id for f in tab.numbered())


def test_daphne_restarted_mid_conversation_leaves_no_socket_without_its_missed_events(
    stack, outside, token_of, tenant, colleague, approver
):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    outside.proposals[RAISE] = [budget_call(campaign)]
    worker = stack.worker()
    daphne, other_daphne = stack.daphne(), stack.daphne()  # production runs two behind its load balancer
    for process in (worker, daphne, other_daphne):
        process.wait_ready()
    token = api(daphne, token_of(colleague)).post("/api/chat/token/").json()["token"]
    tab = ChatSocket(daphne, token)
    tab.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")

    tab.say(RAISE, "c1")
    tab.wait_for(lambda frames: tab.answers(), "the agent's proposal")
    (proposal,) = tab.answers()[0]["actions"]
    assert proposal["status"] == "pending", proposal
    conversation = tab.answers()[0]["conversation_id"]
    other_tab = ChatSocket(other_daphne, token)  # the same person in another tab, served by the other daphne
    other_tab.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the other tab's history")
    assert other_tab.received()[0]["conversation_id"] == conversation

    thinking = outside.hold("question 3")
    tab.say("question 2", "c2")
    tab.say("question 3", "c3")
    tab.wait_for(received(tab, "c3"), "the third message to be stored")
    thinking.wait_arrived("the worker to be mid-answer")
    daphne.kill()
    assert tab.closed.wait(10), "the socket outlived its server"
    thinking.release()

    # The conversation goes on without the socket: the worker answers, a person approves through the other daphne.
    answers = Message.objects.filter(
        conversation_id=conversation, direction=Message.Direction.OUTBOUND, in_reply_to__isnull=False
    )
    wait_for(lambda: answers.count() == 3, "the answers to the second and third messages")
    decided = api(other_daphne, token_of(approver)).post(f"/api/hitl/approvals/{proposal['approval_id']}/approve/")
    assert decided.status_code == 200, decided.text
    wait_for(lambda: HITLApproval.objects.get(pk=proposal["approval_id"]).status == "executed", "the action to run")
    last_seen = tab.numbered()[-1]["seq"]
    missed = list(ConversationEvent.objects.filter(conversation_id=conversation, seq__gt=last_seen).order_by("seq"))
    assert {EventKind.AGENT_RESPONSE, EventKind.APPROVAL_UPDATE} <= {e.event_type for e in missed}

    restarted = stack.daphne(port=daphne.port)
    restarted.wait_ready()
    back = ChatSocket(restarted, token, conversation=conversation, last_seq=last_seen)
    # Sent as the socket opens, not left to the periodic resync (15 s at the earliest, CHAT_RESYNC_SECONDS / 2).
    back.wait_for(lambda frames: len(back.numbered()) >= len(missed), "the missed events", timeout=10)
    back.say("question 4", "c4")
    back.wait_for(lambda frames: any(a["text"] == "Answer to: question 4" for a in back.answers()), "the next answer")

    # Every message answered exactly once.
    inbound = Message.objects.filter(conversation_id=conversation, direction=Message.Direction.INBOUND)
    assert sorted(m.text for m in inbound) == sorted([RAISE, "question 2", "question 3", "question 4"])
    for message in inbound:
        assert Message.objects.filter(in_reply_to=message, direction=Message.Direction.OUTBOUND).count() == 1
    assert outside.times_asked("question 3") == 1  # the worker was not disturbed by daphne's death

    # The two sockets together delivered every stored event once, in order: the missed ones first on the new
    # socket, which resumed instead of starting over with a history.
    stored = list(ConversationEvent.objects.filter(conversation_id=conversation).order_by("seq"))
    delivered = tab.numbered() + back.numbered()
    assert [(f["seq"], f["type"]) for f in delivered] == [(e.seq, e.event_type) for e in stored]
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    assert [f["seq"] for f in back.numbered()[: len(missed)]] == [e.seq for e in missed]
    assert not any(f["type"] == "history" for f in back.received())
    # The tab on the other daphne, open throughout, got every event after its history once, in order.
    since = other_tab.received()[0]["seq"]
    other_tab.wait_for(lambda frames: other_tab.numbered()[-1:] == back.numbered()[-1:], "the other tab's events")
    assert [(f["seq"], f["type"]) for f in other_tab.numbered()] == [
        (e.seq, e.event_type) for e in stored if e.seq > since
    ]
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("700.00")
    assert worker.alive() and restarted.alive() and other_daphne.alive()
