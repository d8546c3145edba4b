"""Storing an inbound message (conversations.pipeline.intake), on every database: which conversation it continues
(the sender's fresh open one on the channel, or the open one of theirs it names), what it stores, in how many
statements, and what it leaves unharmed (a retry, inside a caller's transaction or not)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import pipeline
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.services import open_conversation
from tests.factories import UserFactory
from tests.message_path.test_concurrency import QUESTIONS, WRITERS, assert_answered_once_in_order, run_workers

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
TEXT = "Call me on +1 415 555 0100 about the Summer Sale"  # a phone: sealed on both paths


def chat(user, text=TEXT, **fields):
    return InboundMessage(channel="chat", text=text, user_id=user.pk, **fields)


def stored_rows(accepted):
    """Everything the message added, without what differs by nature (ids, times, ciphertexts)."""
    message = Message.objects.get(pk=accepted.message.pk)
    event = ConversationEvent.objects.get(conversation=message.conversation, seq=message.seq)
    conversation = Conversation.objects.get(pk=message.conversation_id)
    skip = {"id", "conversation", "created_at", "sealed_values", "channel_message_id"}
    return {
        "message": {
            f.attname: getattr(message, f.attname) for f in Message._meta.concrete_fields if f.name not in skip
        },
        "text": message.text,
        "event": {**event.frame(), "id": None, "conversation_id": None},  # "id": the message's
        "stored_event_text": event.payload["text"],
        "counters": (conversation.event_seq, conversation.last_inbound_seq, conversation.answered_seq),
        "times": message.created_at == conversation.last_message_at,
    }


def test_a_continuing_message_stores_its_rows(db, tenant, published):
    writer = UserFactory(tenant=tenant)
    open_conversation(writer, "chat")
    pipeline.accept(chat(writer, "hello"), user=writer)
    stored = stored_rows(pipeline.accept(chat(writer, client_msg_id="c-1", agent_type="seo"), user=writer))
    assert stored["text"] == TEXT
    assert "+1 415 555 0100" not in stored["stored_event_text"] + stored["message"]["sealed_text"]
    assert stored["counters"] == (2, 2, 0) and stored["times"]
    assert stored["message"]["metadata"] == {"requested_agent": "seo"} and stored["message"]["seq"] == 2
    assert stored["message"]["direction"] == "inbound" and stored["message"]["channel"] == "chat"
    assert stored["event"]["type"] == "message_received" and stored["event"]["client_msg_id"] == "c-1"


@pytest.mark.slow
def test_what_accept_returns_is_what_was_stored(live_db, colleague, published):
    conversation = open_conversation(colleague, "chat")
    accepted = pipeline.accept(chat(colleague, client_msg_id="c-9"), user=colleague)

    stored = Message.objects.get(pk=accepted.message.pk)
    assert accepted.message._state.adding is False
    assert (accepted.message.seq, accepted.message.created_at, accepted.message.text) == (
        stored.seq,
        stored.created_at,
        stored.text,
    )
    assert accepted.conversation.pk == conversation.pk and accepted.conversation.event_seq == stored.seq == 1
    assert accepted.conversation.metadata == {} and accepted.conversation.status == "open"
    assert accepted.frame == ConversationEvent.objects.get(conversation=conversation, seq=1).frame()
    assert accepted.frame["text"] == TEXT and accepted.frame["client_msg_id"] == "c-9"
    assert published == [(str(conversation.pk), str(stored.pk))]


def test_a_continuing_message_is_four_statements(db, colleague, published):
    """The locking read, the message, the conversation's counters and its event (the event log's entry for it is
    written later by the metrics job: tests/analytics/test_message_events.py)."""
    open_conversation(colleague, "chat")
    pipeline.accept(chat(colleague, "first"), user=colleague)
    with CaptureQueriesContext(connection) as captured:
        pipeline.accept(chat(colleague, "second"), user=colleague)
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(CONTROL)]
    assert len(statements) == 4
    assert "FOR NO KEY UPDATE" in statements[0] or connection.vendor != "postgresql"


@pytest.mark.parametrize("state", ["idle", "closed", "none"])
def test_without_a_fresh_open_conversation_one_is_opened(db, colleague, published, state):
    old = None
    if state != "none":
        old = open_conversation(colleague, "chat", now=timezone.now() - timedelta(days=3))
        if state == "closed":
            Conversation.objects.filter(pk=old.pk).update(status="closed", last_message_at=timezone.now())
    accepted = pipeline.accept(chat(colleague), user=colleague)

    assert accepted.conversation.pk != getattr(old, "pk", None) and accepted.message.seq == 1
    if old is not None:
        old.refresh_from_db()
        assert old.event_seq == 0 and old.status == "closed"  # closed (idle), nothing written into it
        assert not old.messages.exists()


def test_a_named_conversation_stores_on_its_own_channel(db, tenant, published):
    """The API writes into a conversation by id, here a chat one: stored on the conversation's channel."""
    writer = UserFactory(tenant=tenant)
    conversation = open_conversation(writer, "chat")
    named = InboundMessage(channel="api", text=TEXT, user_id=writer.pk, conversation_id=conversation.pk)
    accepted = pipeline.accept(named, user=writer)
    assert accepted.conversation.pk == conversation.pk and accepted.message.channel == "chat"
    stored = stored_rows(accepted)
    assert stored["counters"] == (1, 1, 0) and stored["text"] == TEXT


def test_a_named_conversation_that_is_closed_or_not_the_senders_is_refused(db, colleague, requester, published):
    closed = open_conversation(colleague, "api")
    Conversation.objects.filter(pk=closed.pk).update(status="closed")
    theirs = open_conversation(requester, "api")
    for conversation, code in ((closed, "conversation_closed"), (theirs, "not_found")):
        named = InboundMessage(channel="api", text="hello", user_id=colleague.pk, conversation_id=conversation.pk)
        with pytest.raises(IngestError) as refused:
            pipeline.accept(named, user=colleague)
        assert refused.value.code == code
        conversation.refresh_from_db()
        assert conversation.event_seq == 0 and not conversation.messages.exists()


def test_another_channels_conversation_is_not_continued(db, colleague, published):
    whatsapp = open_conversation(colleague, "whatsapp")
    accepted = pipeline.accept(chat(colleague), user=colleague)
    assert accepted.conversation.channel == "chat" and accepted.conversation.pk != whatsapp.pk


def test_a_conversation_clock_ahead_of_this_one_keeps_the_order(db, colleague, published):
    """Another web host's clock ran ahead: the new message is not dated before the conversation's latest."""
    conversation = open_conversation(colleague, "chat")
    ahead = timezone.now() + timedelta(seconds=30)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=ahead)
    accepted = pipeline.accept(chat(colleague), user=colleague)
    assert accepted.message.created_at == ahead == Conversation.objects.get(pk=conversation.pk).last_message_at


def test_a_retry_inside_a_callers_transaction_leaves_it_usable(live_db, colleague, published):
    """WhatsApp stores inside its own transaction: a duplicate must not abort it (a savepoint around the store)."""
    conversation = open_conversation(colleague, "chat")
    with transaction.atomic():
        first = pipeline.accept(chat(colleague, channel_message_id="SM1"), user=colleague)
        again = pipeline.accept(chat(colleague, channel_message_id="SM1"), user=colleague)
        assert Message.objects.filter(conversation=conversation).count() == 1  # the transaction still answers
    assert again.duplicate and again.message.pk == first.message.pk
    assert Conversation.objects.get(pk=conversation.pk).event_seq == 1
    assert len(published) == 1


def test_a_retry_in_autocommit_is_a_duplicate_and_changes_nothing(live_db, colleague, published):
    conversation = open_conversation(colleague, "chat")
    first = pipeline.accept(chat(colleague, channel_message_id="SM2"), user=colleague)
    again = pipeline.accept(chat(colleague, channel_message_id="SM2"), user=colleague)
    assert again.duplicate and again.message.pk == first.message.pk and again.frame is None
    conversation.refresh_from_db()
    assert (conversation.event_seq, conversation.last_inbound_seq) == (1, 1)
    assert ConversationEvent.objects.filter(conversation=conversation).count() == 1
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_a_held_conversation_still_tells_its_holder(db, colleague, tenant_admin, published, monkeypatch):
    told = []
    monkeypatch.setattr("conversations.console.customer_wrote", lambda conversation: told.append(conversation.pk))
    conversation = open_conversation(colleague, "chat")
    Conversation.objects.filter(pk=conversation.pk).update(held_by=tenant_admin, held_since=timezone.now())
    pipeline.accept(chat(colleague), user=colleague)
    assert told == [conversation.pk]


@pytest.mark.slow
def test_sixteen_writers_racing_into_one_persons_conversation(postgres_only, colleague, queued):
    """No conversation yet: 16 first messages race (one opens it, the rest continue it), then 4 more each."""
    errors, lock = [], threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(n):
        try:
            barrier.wait(5)
            for q in range(QUESTIONS):
                pipeline.accept(chat(colleague, f"question {n}.{q}"), user=colleague)
        except Exception as exc:  # pragma: no cover - reported below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    def write_all():
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run_workers(queued, write_all)
    assert errors == []
    conversation = Conversation.objects.get(user=colleague)  # exactly one was opened
    assert conversation.messages.filter(direction="inbound").count() == WRITERS * QUESTIONS
    assert_answered_once_in_order(conversation)
    for n in range(WRITERS):
        texts = conversation.messages.filter(sealed_text__startswith=f"question {n}.").order_by("seq")
        assert [m.text for m in texts] == [f"question {n}.{q}" for q in range(QUESTIONS)]
    times = list(conversation.messages.filter(direction="inbound").order_by("seq").values_list("created_at", flat=True))
    assert times == sorted(times)  # dated in the order they were numbered
