"""Redis stops answering for 10 seconds (SIGSTOP, then SIGCONT, of the test's own redis-server) while a worker is
mid-answer and mid-execution, and people keep writing over the chat socket and the API (issue 29, point 7).

Broker, channel layer and cache all stall at once. Every message Walker accepted is answered exactly once, the
approved action runs exactly once, and the socket that stayed open gets every event of its conversation once, in
order, without a gap.
"""

import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from agents.models import Campaign
from conversations.events import EventKind
from conversations.models import ConversationEvent, Message
from hitl.models import HITLApproval
from tests.factories import WEBHOOK_SECRET, CampaignFactory
from tests.faults.harness import ChatSocket, api, budget_call
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.processes]

PAUSE = 10.0  # seconds
RAISE = "Raise the Summer Sale budget to $700 a day"


def test_redis_paused_for_ten_seconds_loses_and_repeats_nothing(stack, outside, token_of, tenant, colleague, approver):
    # The tenant's approved actions go to its own system (the test's receiver), so one can be held mid-call.
    tenant.action_webhook_url = f"{outside.url}/actions"
    tenant.action_webhook_secret = WEBHOOK_SECRET
    tenant.save()
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    outside.proposals[RAISE] = [budget_call(campaign)]
    worker = stack.worker()  # prefork, two processes: one answers while the other executes
    daphne = stack.daphne()
    worker.wait_ready()
    daphne.wait_ready()
    client = api(daphne, token_of(colleague))
    decider = api(daphne, token_of(approver))
    tab = ChatSocket(daphne, client.post("/api/chat/token/").json()["token"])
    tab.wait_for(lambda frames: frames and frames[0]["type"] == "history", "the history frame")

    tab.say(RAISE, "c0")
    tab.wait_for(lambda frames: tab.answers(), "the agent's proposal")
    conversation = tab.answers()[0]["conversation_id"]
    (proposal,) = tab.answers()[0]["actions"]

    api_outcomes: dict[str, list] = {}

    def write_by_api(client_msg_id: str, text: str, deadline: float) -> None:
        """A client of the API: it sends again, with the same id, until the message is taken or time is up."""
        outcomes = api_outcomes.setdefault(client_msg_id, [])
        while time.monotonic() < deadline:
            try:
                response = client.post(
                    f"/api/conversations/{conversation}/messages/",
                    json={"message": text, "client_msg_id": client_msg_id},
                )
            except httpx.HTTPError as error:
                outcomes.append(type(error).__name__)
                continue
            outcomes.append(response.status_code)
            if response.status_code < 500:
                return

    executing = outside.hold("actions")
    answering = outside.hold("while paused 1")
    decided = decider.post(f"/api/hitl/approvals/{proposal['approval_id']}/approve/")
    assert decided.status_code == 200, decided.text
    executing.wait_arrived("a worker to be mid-execution")
    tab.say("while paused 1", "c1")
    answering.wait_arrived("a worker to be mid-answer")
    writers = []
    with stack.redis.paused():
        paused = time.monotonic()
        paused_at = datetime.now(UTC)
        # Both finish while Redis is stopped: what they store is in PostgreSQL; their broadcasts and acks must wait.
        executing.release()
        answering.release()
        tab.say("while paused 2", "c2")
        for n in (1, 2):
            writer = threading.Thread(target=write_by_api, args=(f"a{n}", f"by the API {n}", paused + 90), daemon=True)
            writer.start()
            writers.append(writer)
        tab.say("while paused 3", "c3")
        time.sleep(max(0.0, PAUSE - (time.monotonic() - paused)))  # the fault itself: Redis silent for 10 s
        resumed_at = datetime.now(UTC)
    tab.say("after the pause", "c4")
    for writer in writers:
        writer.join(120)

    texts = [RAISE, "while paused 1", "while paused 2", "while paused 3", "after the pause"]
    texts += ["by the API 1", "by the API 2"]
    inbound = Message.objects.filter(conversation_id=conversation, direction=Message.Direction.INBOUND)
    replies = Message.objects.filter(
        conversation_id=conversation, direction=Message.Direction.OUTBOUND, in_reply_to__isnull=False
    )  # the agents' answers (what the requester is told of the approval answers nothing)
    wait_for(lambda: inbound.count() == len(texts), f"every message to be stored (API: {api_outcomes})")
    wait_for(lambda: replies.count() >= len(texts), "every stored message to be answered", timeout=90)
    wait_for(lambda: HITLApproval.objects.get(pk=proposal["approval_id"]).status == "executed", "the action")
    events = list(ConversationEvent.objects.filter(conversation_id=conversation).order_by("seq"))
    # A broadcast lost in the stall is found by the socket's resync (CHAT_RESYNC_SECONDS: 15 to 45 s).
    tab.wait_for(lambda frames: len(tab.numbered()) >= len(events), "the socket to get every event", timeout=90)
    assert worker.alive() and daphne.alive()

    # Messages were taken and answers stored while Redis was stopped.
    during = {m.text: m for m in inbound if paused_at <= m.created_at <= resumed_at}
    assert "while paused 2" in during, {m.text: m.created_at for m in inbound}
    held = next(m for m in inbound if m.text == "while paused 1")
    (held_answer,) = replies.filter(in_reply_to=held)
    assert paused_at <= held_answer.created_at <= resumed_at

    # Every message stored once and answered exactly once, by the engine.
    assert sorted(m.text for m in inbound) == sorted(texts), api_outcomes
    for message in inbound:
        (reply,) = replies.filter(in_reply_to=message)
        assert reply.text.startswith("For your approval:" if message.text == RAISE else f"Answer to: {message.text}")
    received = [e for e in events if e.event_type == EventKind.MESSAGE_RECEIVED]
    responses = [e for e in events if e.event_type == EventKind.AGENT_RESPONSE]
    assert len(received) == len(responses) == len(texts)
    assert sorted(e.payload["in_reply_to"] for e in responses) == sorted(str(m.pk) for m in inbound)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))

    # The approved action ran exactly once.
    assert [a["idempotency_key"] for a in outside.actions] == [proposal["approval_id"]]
    approval = HITLApproval.objects.get(pk=proposal["approval_id"])
    assert approval.execution_attempts == 1 and approval.history.filter(event_type="executed").count() == 1
    updates = [e.payload["status"] for e in events if e.event_type == EventKind.APPROVAL_UPDATE]
    assert updates == ["approved", "executed"]
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("500.00")  # the tenant's system applies it

    # The socket that stayed open got each event once, in order, as stored.
    assert [(f["seq"], f["type"]) for f in tab.numbered()] == [(e.seq, e.event_type) for e in events]
