"""A Celery worker killed (SIGKILL, with its pool processes) while it answers a message and while it carries out
two approved actions, one on Walker's own ledger and one through a tenant's webhook (issue 29, point 7).

A restarted worker takes over: every accepted message is answered exactly once, the ledger action is applied
exactly once, and the webhook action, which the receiver already got, is not sent again by Walker on its own
(it shows as stuck, for a person to check with the receiver: hitl.services.execution).
"""

import time
from decimal import Decimal

import pytest
from django.db import transaction

from agents.models import AIAgent, Campaign
from conversations.events import EventKind
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import run_execution, stuck_since
from hitl.services.requests import request_approval
from tenants.roles import Role
from tests.concurrency import in_thread, waiting_on_a_lock
from tests.factories import WEBHOOK_SECRET, CampaignFactory, UserFactory, budget_action
from tests.faults.harness import api
from tests.pipeline import hold_answer_tasks
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.processes]

VISIBILITY = 2  # seconds: the restarted worker's CELERY_VISIBILITY_TIMEOUT (production: 15 minutes)


def file_budget_request(tenant, requester, amount="700.00"):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    paid_ads = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    action = budget_action(campaign, amount)
    return campaign, request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)


def the_ledger_execution_waits() -> bool:
    return waiting_on_a_lock('"agents_campaign"')


def answers_to(message) -> list[Message]:
    return list(Message.objects.filter(direction=Message.Direction.OUTBOUND, in_reply_to=message))


def test_a_worker_killed_mid_answer_and_mid_execution_leaves_each_done_exactly_once(
    stack, outside, token_of, tenant, requester, approver, other_tenant
):
    # Acme's actions run on Walker's own ledger. Globex's go to its own system through a signed webhook, and a
    # Globex member is talking to the agents.
    campaign, on_ledger = file_budget_request(tenant, requester)
    other_tenant.action_webhook_url = f"{outside.url}/actions"
    other_tenant.action_webhook_secret = WEBHOOK_SECRET
    other_tenant.save()
    member = UserFactory(tenant=other_tenant, role=Role.MEMBER, email="member@globex.test")
    globex_approver = UserFactory(tenant=other_tenant, role=Role.APPROVER, email="approver@globex.test")
    _, on_webhook = file_budget_request(other_tenant, member)

    # An answer and two executions at once, beside the decisions' notifications (the ledger action's wait for its
    # approval row, which its execution holds while it waits).
    first = stack.worker(concurrency=6)
    daphne = stack.daphne()
    first.wait_ready()
    daphne.wait_ready()
    chat = api(daphne, token_of(member))
    deciders = [(api(daphne, token_of(globex_approver)), on_webhook), (api(daphne, token_of(approver)), on_ledger)]

    def start_conversation():
        return chat.post("/api/conversations/", json={"channel": "api"}).json()["id"]

    conversation, other_conversation = start_conversation(), start_conversation()

    def say(text, client_msg_id, into=conversation):
        sent = {"message": text, "client_msg_id": client_msg_id}
        response = chat.post(f"/api/conversations/{into}/messages/", json=sent)
        assert response.status_code == 202, response.text
        return Message.objects.get(pk=response.json()["message"]["id"])

    receiving = outside.hold("actions")
    thinking = outside.hold("question 1")
    with transaction.atomic():
        # The ledger execution will wait inside its transaction for this campaign row.
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        for decider, approval in deciders:
            decided = decider.post(f"/api/hitl/approvals/{approval.pk}/approve/")
            assert decided.status_code == 200, decided.text
        receiving.wait_arrived("the webhook execution to reach the receiver")
        wait_for(the_ledger_execution_waits, "the ledger execution to wait for the campaign row")
        first_question = say("question 1", "q1")
        thinking.wait_arrived("the worker to ask the engine")  # mid-answer: the engine has the question
        first.kill()
    thinking.release()
    receiving.release()

    # None of the three was finished: the answer's lease is still held and the ledger change rolled back.
    wait_for(lambda: not waiting_on_a_lock(), "the dead worker's sessions to end")
    state = Conversation.objects.get(pk=conversation)
    assert state.answered_seq < first_question.seq and state.answer_lease is not None
    assert answers_to(first_question) == []
    on_ledger.refresh_from_db()
    assert (on_ledger.status, on_ledger.execution_status) == ("approved", "queued")
    on_webhook.refresh_from_db()
    assert (on_webhook.status, on_webhook.execution_status, on_webhook.execution_attempts) == (
        "executing",
        "running",
        1,
    )

    # Accepted while no worker runs, in another conversation (in the same one its task would answer the first).
    second_question = say("question 2", "q2", into=other_conversation)
    # The killed worker's tasks go back to the queue once they have been out longer than the visibility timeout;
    # a worker looks for such tasks as it starts.
    wait_for(
        lambda: (stack.redis.unacked_since() or 0) < time.time() - VISIBILITY,
        "the killed worker's tasks to outlast the visibility timeout",
    )
    second = stack.worker(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY))
    second.wait_ready()

    wait_for(
        lambda: answers_to(first_question) and answers_to(second_question),
        "both messages to be answered (the first once the dead worker's lease ran out)",
        timeout=120,
    )
    wait_for(lambda: HITLApproval.objects.get(pk=on_ledger.pk).status == "executed", "the ledger action", timeout=60)
    wait_for(
        lambda: "hitl.tasks.execute_approval" not in stack.redis.pending_tasks(),
        "the killed worker's execution tasks to be run again",
    )

    # Every accepted message answered exactly once, in order, with the engine's answer.
    for question, text in ((first_question, "question 1"), (second_question, "question 2")):
        (reply,) = answers_to(question)
        assert reply.text == f"Answer to: {text}"
    assert outside.times_asked("question 1") == 2  # by the killed worker, then by the restarted one
    assert outside.times_asked("question 2") == 1
    for question in (first_question, second_question):
        events = ConversationEvent.objects.filter(conversation_id=question.conversation_id).order_by("seq")
        assert [(e.seq, e.event_type) for e in events] == [
            (1, EventKind.MESSAGE_RECEIVED),
            (2, EventKind.AGENT_RESPONSE),
        ]
        assert events[1].payload["in_reply_to"] == str(question.pk)
        state = Conversation.objects.get(pk=question.conversation_id)
        assert state.answered_seq == state.last_inbound_seq and state.answer_lease is None

    # The ledger action applied exactly once: the killed attempt left nothing behind.
    on_ledger.refresh_from_db()
    assert (on_ledger.status, on_ledger.execution_attempts) == ("executed", 1)
    assert on_ledger.history.filter(event_type="executed").count() == 1
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("700.00")

    # The webhook action reached the receiver once. Its redelivered task did not send it again: it shows as an
    # execution that never reported back, for a person to check and, if need be, run again.
    assert [a["idempotency_key"] for a in outside.actions] == [str(on_webhook.pk)]
    on_webhook.refresh_from_db()
    assert (on_webhook.status, on_webhook.execution_status, on_webhook.execution_attempts) == (
        "executing",
        "running",
        1,
    )
    assert stuck_since(on_webhook) is not None
    assert first.popen.returncode == -9 and second.alive()


# --- found by the scenario above: an execution locked its tenant's row (FOR UPDATE through select_related) ------


def test_a_tenants_messages_are_accepted_while_one_of_its_ledger_executions_waits(
    postgres_only, monkeypatch, tenant, colleague, requester, approver
):
    campaign, approval = file_budget_request(tenant, requester)
    with monkeypatch.context() as patch:
        patch.setattr("hitl.tasks.execute_approval.delay", lambda *args: None)
        approve(approval.pk, actor=approver)  # queued, not run: this test runs it below
    hold_answer_tasks(monkeypatch)
    accepted = []

    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)  # a slow ledger change: its row is busy
        execution = in_thread(lambda: run_execution(approval.pk, max_attempts=5))
        wait_for(the_ledger_execution_waits, "the ledger execution to wait for the campaign row")
        inbound = InboundMessage(channel="api", text="How is my Summer Sale doing?", user_id=colleague.pk)
        message = in_thread(lambda: accepted.append(accept(inbound, user=colleague)))
        message.join(5)  # a message is stored in milliseconds
        stored = bool(accepted)
    execution.join(30)
    message.join(30)
    assert stored, "the message waited for the ledger execution of another approval"
