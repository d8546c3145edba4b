"""Storing an answer (conversations.pipeline.answering), on every database: its rows, the lease kept while
messages wait and given back after the last, nothing stored for a message answered meanwhile or held by a person,
and the order of answers and events."""

import time
import uuid

from django.utils import timezone

from agents.engines.base import EngineReply
from conversations import delivery, pipeline
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import answering
from tests.factories import UserFactory

ANSWER = "Summer Sale: call +1 415 555 0100 if the spend looks off."  # a phone: sealed


def ask(user, text="How is my Summer Sale campaign doing?"):
    return pipeline.accept(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user)


def answered_rows(question: Message) -> dict:
    reply = Message.objects.get(in_reply_to=question)
    conversation = Conversation.objects.get(pk=question.conversation_id)
    event = ConversationEvent.objects.get(conversation=conversation, seq=reply.seq)
    skip = {"id", "conversation", "in_reply_to", "tenant", "created_at", "sealed_values"}
    return {
        "reply": {f.name: getattr(reply, f.attname) for f in Message._meta.concrete_fields if f.name not in skip},
        "text": reply.text,
        "event": {**event.frame(), "message_id": None, "in_reply_to": None, "conversation_id": None},
        "conversation": (conversation.event_seq, conversation.answered_seq, conversation.agent.agent_type),
        "lease": (conversation.answer_lease, conversation.answer_lease_until, conversation.answer_attempts),
        "dated": reply.created_at == conversation.last_message_at and reply.created_at >= question.created_at,
    }


def test_an_answer_stores_its_rows(live_db, tenant, engine, published):
    engine.reply = EngineReply(text=ANSWER)
    question = ask(UserFactory(tenant=tenant)).message
    assert published[-1].run() is None
    rows = answered_rows(question)
    assert rows["text"] == ANSWER and "+1 415 555 0100" not in rows["reply"]["sealed_text"]
    assert rows["lease"] == (None, None, 0) and rows["dated"]
    assert rows["conversation"] == (2, 1, "paid_ads")
    assert rows["reply"]["seq"] == 2 and rows["reply"]["direction"] == "outbound"
    assert rows["event"]["type"] == "agent_response" and rows["reply"]["metadata"]["agent_type"] == "paid_ads"
    assert rows["reply"]["metadata"]["response_ms"] >= 0  # for the event log's entry, written later


def test_the_lease_is_kept_while_later_messages_wait(live_db, colleague, engine, published):
    first, second = ask(colleague, "first?").message, ask(colleague, "second?").message
    token = published[0].lease  # the first one's intake gave its task the lease
    assert pipeline.answering._answer_next(first.conversation_id, token) is True  # answered "first?", one waits
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.answer_lease == token and conversation.answer_lease_until > timezone.now()
    assert conversation.answered_seq == first.seq and conversation.answer_attempts == 1  # begun at the next
    assert pipeline.answering._answer_next(first.conversation_id, token) is False
    conversation.refresh_from_db()
    assert (conversation.answer_lease, conversation.answer_lease_until, conversation.answer_attempts) == (None, None, 0)
    assert conversation.answered_seq == second.seq


def test_another_workers_lease_is_left_alone(live_db, colleague, engine, published):
    question = ask(colleague).message
    conversation = Conversation.objects.get(pk=question.conversation_id)
    theirs, until = pipeline.answering.uuid.uuid4(), timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(answer_lease=theirs, answer_lease_until=until)
    pipeline.answering._answer_next(conversation.pk, pipeline.answering.uuid.uuid4())
    conversation.refresh_from_db()
    assert conversation.answered_seq == question.seq
    assert (conversation.answer_lease, conversation.answer_lease_until) == (theirs, until)


def test_an_answer_given_meanwhile_or_a_person_holding_stores_nothing(
    live_db, colleague, tenant_admin, engine, published
):
    question = ask(colleague).message
    Conversation.objects.filter(pk=question.conversation_id).update(held_by=tenant_admin, held_since=timezone.now())
    message = Message.objects.select_related("conversation__tenant", "conversation__user").get(pk=question.pk)

    def store():
        return answering._store(
            message.conversation, message, None, EngineReply(text="hello"), None, time.monotonic(), None
        )

    assert store() is False and not Message.objects.filter(in_reply_to=question).exists()  # the person's to answer
    conversation = Conversation.objects.get(pk=question.conversation_id)
    assert conversation.answered_seq == question.seq and conversation.event_seq == question.seq
    Conversation.objects.filter(pk=question.conversation_id).update(held_by=None)
    assert store() is False  # answered meanwhile
    conversation = Conversation.objects.get(pk=question.conversation_id)
    assert conversation.event_seq == question.seq and not Message.objects.filter(in_reply_to=question).exists()


def test_answers_under_load_stay_in_order(live_db, colleague, engine, published):
    questions = [ask(colleague, f"question {n}").message for n in range(6)]
    for task in published:
        task.run()
    replies = Message.objects.filter(direction="outbound").order_by("seq")
    assert [r.in_reply_to_id for r in replies] == [q.pk for q in questions]
    times = list(Message.objects.filter(conversation_id=questions[0].conversation_id).order_by("seq"))
    assert [m.created_at for m in times] == sorted(m.created_at for m in times)


def test_an_event_told_while_the_engine_runs_comes_before_the_answer(
    live_db, colleague, engine, published, monkeypatch
):
    """A decision on an earlier request, told while the engine wrote: the answer takes the number after it (issue 29:
    an answer numbered from what it read before another event was stored collided with that event)."""
    question = ask(colleague).message
    scripted = engine.run

    def run(request):
        conversation = Conversation.objects.get(pk=question.conversation_id)
        delivery.approval_changed(
            conversation, approval_id=uuid.uuid4(), reference="BR-100001", status="approved", summary="Pause Winter"
        )
        return scripted(request)

    monkeypatch.setattr(engine, "run", run)
    assert published[-1].run() is None
    events = ConversationEvent.objects.filter(conversation_id=question.conversation_id).order_by("seq")
    assert list(events.values_list("seq", "event_type")) == [
        (1, "message_received"),
        (2, "approval_update"),
        (3, "agent_response"),
    ]
    assert Message.objects.get(in_reply_to=question).seq == 3
