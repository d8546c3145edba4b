"""An answer task that hit a database cut (issue 46, point 11): Celery runs it again within seconds, not the
straggler sweep minutes later, and the retry takes back the lease its own earlier attempt left behind instead of
waiting for it to run out. The whole cut, with real processes, is in tests/faults/test_database_cut.py."""

import uuid
from datetime import timedelta

import pytest
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from conversations import pipeline, tasks
from conversations.models import Conversation, Message
from conversations.normalized import InboundMessage


def ask(user, text="How is my Summer Sale campaign doing?") -> Message:
    return pipeline.accept(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user).message


def test_the_answer_task_retries_a_database_error_within_seconds():
    task = tasks.answer_message
    assert task.autoretry_for == (OperationalError, InterfaceError)
    assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter) == (1, 10, True)
    assert task.max_retries == tasks.ANSWER_RETRIES


def test_a_retry_after_a_database_error_carries_the_same_lease(monkeypatch):
    leases = []

    def answer(conversation_id, message_id, *, lease):
        leases.append(lease)
        if len(leases) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return None

    monkeypatch.setattr("conversations.tasks.pipeline.answer", answer)
    task_id = uuid.uuid4()
    # Eager, the retry Celery schedules runs at once, inside the first run.
    result = tasks.answer_message.apply(args=("c", "m"), task_id=str(task_id), throw=False)
    assert result.successful(), result.traceback
    assert leases == [task_id, task_id]


def hold_lease(message: Message, token: uuid.UUID) -> None:
    """As an attempt cut off by the database leaves the conversation: its lease taken, nothing answered."""
    Conversation.objects.filter(pk=message.conversation_id).update(
        answer_lease=token, answer_lease_until=timezone.now() + timedelta(seconds=40), answer_attempts=1
    )


@pytest.mark.django_db
def test_the_attempt_that_left_the_lease_takes_it_back_at_once(colleague, engine, published):
    question = ask(colleague)
    mine = uuid.uuid4()
    hold_lease(question, mine)
    assert pipeline.answer(str(question.conversation_id), str(question.pk), lease=mine) is None
    assert Message.objects.filter(in_reply_to=question, direction=Message.Direction.OUTBOUND).count() == 1
    conversation = Conversation.objects.get(pk=question.conversation_id)
    assert (conversation.answered_seq, conversation.answer_lease) == (question.seq, None)


@pytest.mark.django_db
def test_another_attempts_lease_is_still_waited_out(colleague, engine, published):
    question = ask(colleague)
    hold_lease(question, uuid.uuid4())
    retry_in = pipeline.answer(str(question.conversation_id), str(question.pk), lease=uuid.uuid4())
    assert retry_in is not None and 39 <= retry_in <= 41
    assert not Message.objects.filter(in_reply_to=question).exists()
