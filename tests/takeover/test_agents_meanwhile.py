"""While a person holds a conversation the agents store what comes in but do not answer; after release they do."""

import pytest

from agents.engines.base import EngineReply
from analytics.models import EventType, PlatformEvent
from conversations import takeover
from conversations.models import Conversation, ConversationEvent, Message
from conversations.pipeline import answer
from tests.factories import CampaignFactory, budget_action
from tests.takeover.conftest import say


def test_a_held_conversation_gets_no_agent_answer_and_its_queue_moves_on(chatting, customer, support, engine):
    takeover.assign(chatting.pk, actor=support)
    asked = len(engine.requests)
    first, reply = say(customer, "Is anyone there?")
    second, second_reply = say(customer, "Hello?")
    assert reply is None and second_reply is None
    assert len(engine.requests) == asked  # the engine was not even asked
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert conversation.answered_seq == conversation.last_inbound_seq == second.seq  # nothing waits
    assert conversation.answer_lease is None
    assert [m.text for m in conversation.messages.filter(direction="inbound")][-2:] == ["Is anyone there?", "Hello?"]


def test_after_release_the_agents_answer_new_messages(chatting, customer, support, engine):
    takeover.assign(chatting.pk, actor=support)
    held, _ = say(customer, "Is anyone there?")
    takeover.release(chatting.pk, actor=support)
    message, reply = say(customer, "How is my Summer Sale doing now?")
    assert reply is not None and reply.sender_type == Message.SenderType.AGENT
    assert reply.in_reply_to == message
    # What came in while the person held it stays theirs: the agent did not answer it late.
    assert not Message.objects.filter(in_reply_to=held).exists()


def test_a_takeover_while_the_engine_runs_drops_the_agents_answer_and_its_proposals(
    chatting, customer, support, engine, tenant
):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale")
    engine.reply = EngineReply(text="Raising it.", actions=[budget_action(campaign)])
    original = engine.run

    def run_while_taken_over(request):
        takeover.assign(chatting.pk, actor=support)  # committed by another request in real life
        return original(request)

    engine.run = run_while_taken_over
    message, reply = say(customer, "Raise the Summer Sale budget to $700 a day")
    assert reply is None
    assert not chatting.approvals.exists()
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert conversation.answered_seq >= message.seq and conversation.answer_lease is None


def test_a_stalled_task_finds_nothing_left_to_answer(chatting, customer, support, engine):
    takeover.assign(chatting.pk, actor=support)
    message, _ = say(customer, "Anyone?")
    assert answer(chatting.pk, message.pk) is None  # a redelivered task: nothing to do, no retry asked
    assert not Message.objects.filter(in_reply_to=message).exists()


def test_each_step_is_an_event_of_the_conversation_and_an_audit_record(chatting, staff, support):
    admin = staff["admin"]
    takeover.assign(chatting.pk, actor=support)
    takeover.reply(chatting.pk, actor=support, text="Hi, I'm looking into it.")
    takeover.add_note(chatting.pk, actor=support, text="Customer is upset about the budget.")
    takeover.assign(chatting.pk, actor=support, to=admin.pk)
    takeover.release(chatting.pk, actor=admin)
    takeover.resolve(chatting.pk, actor=admin)
    kinds = list(
        ConversationEvent.objects.filter(conversation=chatting).order_by("seq").values_list("event_type", "payload")
    )
    steps = [(kind, payload.get("name"), payload.get("reason")) for kind, payload in kinds if kind.startswith("human")]
    assert steps == [
        ("human_joined", "Support Smith", None),
        ("human_reply", "Support Smith", None),
        ("human_joined", "Admin Smith", None),
        ("human_left", "Admin Smith", "released"),
        ("human_left", "Admin Smith", "resolved"),  # resolving what nobody held still tells the customer who did
    ]
    audit = PlatformEvent.objects.filter(conversation_id=chatting.pk).order_by("created_at")
    assert [(e.event_type, e.user_id) for e in audit if e.event_type in TAKEOVER_EVENTS] == [
        (EventType.TAKEN_OVER, support.pk),
        (EventType.HUMAN_REPLIED, support.pk),
        (EventType.NOTE_ADDED, support.pk),
        (EventType.ASSIGNED, support.pk),
        (EventType.RELEASED, admin.pk),
        (EventType.RESOLVED, admin.pk),
    ]
    conversation = Conversation.objects.get(pk=chatting.pk)
    assert conversation.status == Conversation.Status.CLOSED and conversation.held_by is None
    assert audit.filter(event_type=EventType.CONVERSATION_CLOSED, metadata__reason="resolved").exists()


TAKEOVER_EVENTS = {
    EventType.TAKEN_OVER, EventType.ASSIGNED, EventType.HUMAN_REPLIED, EventType.NOTE_ADDED, EventType.RELEASED,
    EventType.RESOLVED,
}  # fmt: skip


def test_resolving_a_held_conversation_tells_the_customer_the_agents_are_back(chatting, support, customer, engine):
    takeover.assign(chatting.pk, actor=support)
    takeover.resolve(chatting.pk, actor=support)
    left = ConversationEvent.objects.filter(conversation=chatting, event_type="human_left").get()
    assert left.payload["reason"] == "resolved"
    message, reply = say(customer, "One more thing")
    assert message.conversation_id != chatting.pk and reply is not None  # a new conversation, for the agents


@pytest.mark.parametrize("step", ["reply", "assign", "resolve"])
def test_a_closed_conversation_takes_no_more_steps(chatting, support, step):
    takeover.resolve(chatting.pk, actor=support)
    kwargs = {"text": "hi"} if step == "reply" else {}
    with pytest.raises(takeover.TakeoverError) as refused:
        getattr(takeover, step)(chatting.pk, actor=support, **kwargs)
    assert refused.value.code == "closed"
