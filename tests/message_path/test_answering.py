"""The worker side: a dead worker's message is answered by the redelivered task, once; lost tasks are swept up."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.models import EventType, PlatformEvent
from conversations import pipeline
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import answering
from conversations.tasks import SWEEP_GRACE, answer_stragglers
from reports.message_events import record_message_events
from tests.pipeline import hold_answer_tasks


@pytest.fixture
def queued(monkeypatch, engine):
    tasks = []
    hold_answer_tasks(monkeypatch, tasks.append)
    return tasks


def say(user, text, tasks):
    accepted = pipeline.accept(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user)
    return accepted.message, tasks[-1]


def replies(message):
    return Message.objects.filter(in_reply_to=message, direction="outbound").count()


def test_a_redelivered_task_answers_what_a_dead_worker_left_and_only_once(live_db, colleague, queued):
    # The intake gave the conversation's lease to the message's task; its worker took it and died before storing.
    message, task = say(colleague, "hello", queued)
    conversation_id, message_id = task

    retry_in = pipeline.answer(conversation_id, message_id)  # another task (the sweep's, a later message's)
    assert retry_in is not None and retry_in > answering.lease_duration().total_seconds() - 5
    assert replies(message) == 0

    with time_machine.travel(timezone.now() + answering.lease_duration() + timedelta(seconds=1)):
        assert pipeline.answer(conversation_id, message_id) is None  # the lease ran out: that one answers
        assert task.run() is None  # the redelivered task, late, changes nothing
    assert replies(message) == 1
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.answered_seq == message.seq and conversation.answer_lease is None


def test_a_task_that_finds_nothing_waiting_counts_no_attempt(live_db, colleague, queued):
    """A duplicate task (two sweeps, a redelivery) after the answer: the next message keeps all its attempts."""
    message, task = say(colleague, "hello", queued)
    conversation_id = task[0]
    assert task.run() is None
    assert pipeline.answer(conversation_id, None) is None  # claims the lease, finds nothing waiting
    conversation = Conversation.objects.get(pk=conversation_id)
    assert (conversation.answer_attempts, conversation.answer_lease) == (0, None)
    assert replies(message) == 1


def test_an_answer_is_never_stored_twice(live_db, colleague, queued, engine):
    message, task = say(colleague, "hello", queued)
    conversation = Conversation.objects.select_related("tenant", "user").get(pk=task[0])
    token = task.lease  # the intake gave it the lease
    reply = engine.run(None)
    for _ in range(2):  # a worker whose lease ran out stores after the one that took over
        answering._store(conversation, message, None, reply, None, 0, token)
    assert replies(message) == 1


def test_a_message_that_waits_in_a_held_conversation_is_answered_by_the_holder(live_db, colleague, queued):
    first, first_task = say(colleague, "one", queued)  # its task holds the lease the intake gave it...
    second, second_task = say(colleague, "two", queued)
    conversation_id, second_id = second_task
    assert second_task.lease != first_task.lease
    assert second_task.run() is not None  # ...so the second message's task must come back later
    while answering._answer_next(conversation_id, first_task.lease):  # the holder answers both, in order
        pass
    assert replies(first) == replies(second) == 1
    assert pipeline.answer(conversation_id, second_id) is None  # the retry finds it answered
    first_reply, second_reply = Message.objects.filter(direction="outbound").order_by("seq")
    assert (first_reply.in_reply_to, second_reply.in_reply_to) == (first, second)


def test_the_sweep_answers_messages_whose_task_was_lost(live_db, colleague, queued, monkeypatch):
    message, _ = say(colleague, "hello", queued)
    queued.clear()  # the broker lost it after taking it, with the lease the intake gave it
    assert answer_stragglers() == 0  # too fresh: its own task may still be on the way
    with time_machine.travel(timezone.now() + SWEEP_GRACE + timedelta(seconds=1)):
        assert answer_stragglers() == 0  # the lease is that task's until it runs out
    with time_machine.travel(timezone.now() + answering.lease_duration() + timedelta(seconds=1)):
        assert answer_stragglers() == 1
        ((conversation_id, message_id),) = queued
        assert message_id is None and pipeline.answer(conversation_id, message_id) is None
    assert replies(message) == 1
    with time_machine.travel(timezone.now() + SWEEP_GRACE + timedelta(seconds=1)):
        assert answer_stragglers() == 0


def test_a_task_the_broker_refused_gives_its_lease_back_for_the_sweep(live_db, colleague, monkeypatch, engine):
    def broker_down(task):
        raise ConnectionError("broker unreachable")

    hold_answer_tasks(monkeypatch, broker_down)
    message = pipeline.accept(InboundMessage(channel="chat", text="hello", user_id=colleague.pk), user=colleague)
    conversation = Conversation.objects.get(pk=message.conversation.pk)
    assert (conversation.answer_lease, conversation.answer_attempts) == (None, 0)  # as if never taken
    queued = []
    hold_answer_tasks(monkeypatch, queued.append)  # the broker is back
    with time_machine.travel(timezone.now() + SWEEP_GRACE + timedelta(seconds=1)):
        assert answer_stragglers() == 1
    assert queued[0].run() is None and replies(message.message) == 1


def test_messages_are_answered_with_the_history_before_them(live_db, colleague, queued, engine):
    for text in ("one", "two", "three"):
        say(colleague, text, queued)
    assert queued[0].run() is None  # the first one's task holds the lease: it answers the three
    asked = [(r.text, [h.text for h in r.history]) for r in engine.requests]
    assert asked == [
        ("one", []),
        ("two", ["one", "Here is what I found."]),
        ("three", ["one", "Here is what I found.", "two", "Here is what I found."]),
    ]


def test_a_queue_longer_than_one_read_is_answered_in_order_with_each_ones_history(live_db, colleague, queued, engine):
    """More messages wait than the worker reads at once: the oldest first, each with the ten turns before it."""
    for n in range(8):  # a long conversation, each message answered before the next
        assert say(colleague, f"earlier {n}", queued)[1].run() is None
    engine.requests.clear()
    waiting = [f"waiting {n}" for n in range(answering.WINDOW + 3)]
    for text in waiting:
        say(colleague, text, queued)

    assert queued[8].run() is None  # the first waiting one's task holds the lease
    assert [r.text for r in engine.requests] == waiting
    transcript = [t for n in range(8) for t in (f"earlier {n}", "Here is what I found.")]
    for request in engine.requests:
        # The turns right before it, oldest first: at most ten, and never an answer without its question.
        history = [h.text for h in request.history]
        assert 2 <= len(history) <= answering.HISTORY_TURNS and history == transcript[-len(history) :]
        transcript += [request.text, "Here is what I found."]


def test_a_poisoned_message_gets_an_apology_after_its_attempts_and_the_next_is_answered(
    live_db, colleague, queued, engine, poison, caplog, settings
):
    """Storing its answer fails every time (issue 29: the lease stayed held and every later message waited behind
    it): each failure gives the lease back for a retry, and the last attempt apologises and answers what follows."""
    settings.ANSWER_ATTEMPTS = 3
    poison("poisoned")
    bad, bad_task = say(colleague, "a poisoned question", queued)
    good, good_task = say(colleague, "a fine question", queued)
    conversation_id = bad_task[0]

    def state():
        conversation = Conversation.objects.get(pk=conversation_id)
        return conversation.answered_seq, conversation.answer_lease, conversation.answer_attempts

    assert bad_task.run() > 0  # its task: the first attempt fails, a retry is asked for
    assert state() == (0, None, 1)  # nothing stored, the lease given back
    assert good_task.run() > 0  # the next message's task tries the oldest first: the second
    assert state() == (0, None, 2)
    assert bad_task.run() is None  # the first one's retry: the third fails, and gives up
    assert state() == (good.seq, None, 0)
    assert good_task.run() is None  # the second one's retry finds both answered

    apology = Message.objects.get(in_reply_to=bad)
    assert apology.text == str(answering.FAILED_REPLY) and apology.metadata["agent_type"] is None
    assert Message.objects.get(in_reply_to=good).text == "Here is what I found."
    events = ConversationEvent.objects.filter(conversation_id=conversation_id).order_by("seq")
    assert [(e.event_type, e.payload.get("in_reply_to")) for e in events if e.event_type == "agent_response"] == [
        ("agent_response", str(bad.pk)),
        ("agent_response", str(good.pk)),
    ]
    failed = PlatformEvent.objects.get(event_type=EventType.ANSWER_FAILED)
    assert (failed.conversation_id, failed.subject_id, failed.metadata["attempts"]) == (bad.conversation_id, bad.pk, 3)
    assert "poisoned" in failed.metadata["error"]
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR and "gave up" in r.getMessage()]
    assert len(gave_up) == 1 and str(bad.pk) in gave_up[0].getMessage()
    record_message_events(colleague.tenant_id, since=bad.created_at)
    answered = PlatformEvent.objects.filter(event_type=EventType.AGENT_RESPONDED).values_list("subject_id", flat=True)
    assert list(answered) == [Message.objects.get(in_reply_to=good).pk]  # the apology is no answer


def test_a_message_whose_answer_stops_every_worker_gets_an_apology(live_db, colleague, queued, engine, settings):
    """No error to catch: the workers died (out of memory, killed) while answering. The claims count the attempts."""
    settings.ANSWER_ATTEMPTS = 2
    message, task = say(colleague, "hello", queued)  # its worker took the lease the intake gave it, and died
    later = timezone.now() + answering.lease_duration() + timedelta(seconds=1)
    with time_machine.travel(later):
        assert answering._claim(task[0]) is not None  # another took it once it ran out, and died too
    later += answering.lease_duration() + timedelta(seconds=1)
    with time_machine.travel(later):
        assert task.run() is None  # the redelivered task tries no third time
    assert engine.requests == []
    assert Message.objects.get(in_reply_to=message).text == str(answering.FAILED_REPLY)
    assert PlatformEvent.objects.get(event_type=EventType.ANSWER_FAILED).metadata["attempts"] == 2
    settled = Conversation.objects.filter(pk=task[0]).values("answered_seq", "answer_lease", "answer_attempts")
    assert settled.get() == {"answered_seq": message.seq, "answer_lease": None, "answer_attempts": 0}
