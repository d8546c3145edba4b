"""An answer that proposes nothing, stored in one PostgreSQL statement (conversations.pipeline.answer_statement).

It must store what the worker's ORM path stores, move the lease as it does, and leave every
case it does not cover (answered meanwhile, held by a person, proposals, engine errors) to it.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.engines.base import EngineReply
from analytics.models import EventType, PlatformEvent
from conversations import delivery, pipeline
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import answer_statement
from tests.factories import UserFactory

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
ANSWER = "Summer Sale: call +1 415 555 0100 if the spend looks off."  # a phone: sealed on both paths


@pytest.fixture
def statement_calls(returns_of):
    """What answer_statement.store returned, call by call (None: it stored nothing, the ORM path took over)."""
    return returns_of(answer_statement, "store")


def ask(user, text="How is my Summer Sale campaign doing?"):
    return pipeline.accept(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user)


def answered_rows(question: Message) -> dict:
    reply = Message.objects.get(in_reply_to=question)
    conversation = Conversation.objects.get(pk=question.conversation_id)
    event = ConversationEvent.objects.get(conversation=conversation, seq=reply.seq)
    record = PlatformEvent.objects.get(event_type=EventType.AGENT_RESPONDED, subject_id=reply.pk)
    skip = {"id", "conversation", "in_reply_to", "tenant", "created_at", "sealed_values"}
    return {
        "reply": {f.name: getattr(reply, f.attname) for f in Message._meta.concrete_fields if f.name not in skip},
        "text": reply.text,
        "event": {**event.frame(), "message_id": None, "in_reply_to": None, "conversation_id": None},
        "record": {**record.metadata, "response_ms": None},
        "conversation": (conversation.event_seq, conversation.answered_seq, conversation.agent.agent_type),
        "lease": (conversation.answer_lease, conversation.answer_lease_until, conversation.answer_attempts),
        "dated": reply.created_at == conversation.last_message_at and reply.created_at >= question.created_at,
    }


def test_both_paths_store_the_same_answer(postgres_only, tenant, engine, published, statement_calls, monkeypatch):
    engine.reply = EngineReply(text=ANSWER)
    rows = {}
    for path in ("statement", "orm"):
        writer = UserFactory(tenant=tenant)
        if path == "orm":
            monkeypatch.setattr(answer_statement, "applies", lambda reply, error: False)
        question = ask(writer).message
        assert pipeline.answer(str(question.conversation_id), str(question.pk)) is None
        rows[path] = answered_rows(question)
    assert statement_calls == [False]  # one call, nothing more waited
    assert rows["statement"] == rows["orm"]
    assert rows["statement"]["text"] == ANSWER and "+1 415 555 0100" not in rows["statement"]["reply"]["sealed_text"]
    assert rows["statement"]["lease"] == (None, None, 0) and rows["statement"]["dated"]
    assert rows["statement"]["conversation"] == (2, 1, "paid_ads")


def test_storing_an_answer_is_one_statement(postgres_only, colleague, engine, published):
    question = ask(colleague).message
    with CaptureQueriesContext(connection) as captured:
        pipeline.answer(str(question.conversation_id), str(question.pk))
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(CONTROL)]
    stores = [sql for sql in statements if "INSERT" in sql]
    assert len(stores) == 1 and stores[0].lstrip().startswith("WITH conversation AS")
    assert not any(q["sql"] == "BEGIN" for q in captured.captured_queries)


def test_the_lease_is_kept_while_later_messages_wait(postgres_only, colleague, engine, published, statement_calls):
    first, second = ask(colleague, "first?").message, ask(colleague, "second?").message
    token = pipeline.answering._claim(first.conversation_id)
    assert pipeline.answering._answer_next(first.conversation_id, token) is True  # answered "first?", one waits
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert conversation.answer_lease == token and conversation.answer_lease_until > timezone.now()
    assert conversation.answered_seq == first.seq and conversation.answer_attempts == 1  # begun at the next
    assert pipeline.answering._answer_next(first.conversation_id, token) is False
    conversation.refresh_from_db()
    assert (conversation.answer_lease, conversation.answer_lease_until, conversation.answer_attempts) == (None, None, 0)
    assert conversation.answered_seq == second.seq and statement_calls == [True, False]


def test_another_workers_lease_is_left_alone(postgres_only, colleague, engine, published):
    question = ask(colleague).message
    conversation = Conversation.objects.get(pk=question.conversation_id)
    theirs, until = pipeline.answering.uuid.uuid4(), timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(answer_lease=theirs, answer_lease_until=until)
    pipeline.answering._answer_next(conversation.pk, pipeline.answering.uuid.uuid4())
    conversation.refresh_from_db()
    assert conversation.answered_seq == question.seq
    assert (conversation.answer_lease, conversation.answer_lease_until) == (theirs, until)


def test_an_answer_given_meanwhile_or_a_person_holding_leaves_it_to_the_orm_path(
    postgres_only, colleague, tenant_admin, engine, published, statement_calls
):
    question = ask(colleague).message
    Conversation.objects.filter(pk=question.conversation_id).update(held_by=tenant_admin, held_since=timezone.now())
    message = Message.objects.select_related("conversation__tenant", "conversation__user").get(pk=question.pk)
    stored = answer_statement.store(message.conversation, message, None, "hello", None, timezone.now(), 0)
    assert stored is None and not Message.objects.filter(in_reply_to=question).exists()
    Conversation.objects.filter(pk=question.conversation_id).update(held_by=None, answered_seq=question.seq)
    assert answer_statement.store(message.conversation, message, None, "hello", None, timezone.now(), 0) is None
    conversation = Conversation.objects.get(pk=question.conversation_id)
    assert conversation.event_seq == question.seq and not Message.objects.filter(in_reply_to=question).exists()


def test_proposals_and_engine_errors_take_the_orm_path(engine):
    assert answer_statement.applies(EngineReply(text="ok"), None) is (connection.vendor == "postgresql")
    assert not answer_statement.applies(EngineReply(text="ok", actions=[{"type": "pause_campaign"}]), None)
    assert not answer_statement.applies(EngineReply(text="ok"), RuntimeError("engine down"))


def test_answers_under_load_stay_in_order(postgres_only, colleague, engine, published):
    questions = [ask(colleague, f"question {n}").message for n in range(6)]
    for question in questions:
        pipeline.answer(str(question.conversation_id), str(question.pk))
    replies = Message.objects.filter(direction="outbound").order_by("seq")
    assert [r.in_reply_to_id for r in replies] == [q.pk for q in questions]
    times = list(Message.objects.filter(conversation_id=questions[0].conversation_id).order_by("seq"))
    assert [m.created_at for m in times] == sorted(m.created_at for m in times)


@pytest.mark.parametrize("path", ["statement", "orm"])
def test_an_event_told_while_the_engine_runs_comes_before_the_answer(
    postgres_only, colleague, engine, published, statement_calls, monkeypatch, path
):
    """A decision on an earlier request, told while the engine wrote: the answer takes the number after it (issue 29:
    an answer numbered from what it read before another event was stored collided with that event)."""
    question = ask(colleague).message
    if path == "orm":
        monkeypatch.setattr(answer_statement, "applies", lambda reply, error: False)
    scripted = engine.run

    def run(request):
        conversation = Conversation.objects.get(pk=question.conversation_id)
        delivery.approval_changed(
            conversation, approval_id=uuid.uuid4(), reference="BR-100001", status="approved", summary="Pause Winter"
        )
        return scripted(request)

    monkeypatch.setattr(engine, "run", run)
    assert pipeline.answer(str(question.conversation_id), str(question.pk)) is None
    events = ConversationEvent.objects.filter(conversation_id=question.conversation_id).order_by("seq")
    assert list(events.values_list("seq", "event_type")) == [
        (1, "message_received"),
        (2, "approval_update"),
        (3, "agent_response"),
    ]
    assert Message.objects.get(in_reply_to=question).seq == 3
    assert statement_calls == ([False] if path == "statement" else [])
