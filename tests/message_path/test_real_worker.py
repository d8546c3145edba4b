"""The message path with a real Celery worker: prefork, two processes, the Redis broker, the database pool on."""

import time

import pytest
from django.conf import settings
from django.db import connection

from analytics.models import EventType, PlatformEvent
from conversations.models import Conversation, Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from conversations.pipeline.answering import FAILED_REPLY
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.processes]


def test_a_real_worker_answers_every_message_once_and_in_order(broker, start_worker, colleague):
    worker = start_worker(pool="prefork", concurrency=2, DATABASE_POOL="1")  # forked children leave the pool
    messages = [
        accept(InboundMessage(channel="chat", text=f"question {n}", user_id=colleague.pk), user=colleague).message
        for n in range(6)
    ]

    def answered():
        return Message.objects.filter(direction="outbound", in_reply_to__in=messages).count() == len(messages)

    wait_for(answered, "the worker's answers", timeout=90)
    assert worker.poll() is None  # still running: nothing crashed it
    replies = Message.objects.filter(direction="outbound").order_by("seq")
    assert [r.in_reply_to_id for r in replies] == [m.pk for m in messages]  # once each, in the order they came
    assert all(r.metadata["agent_type"] == "paid_ads" for r in replies)


def database_sessions_so_far() -> int:
    """Sessions PostgreSQL has opened on the test database (a closed one is counted when it ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_a_real_worker_keeps_its_database_sessions_from_task_to_task(broker, start_worker, colleague):
    """Celery closes a prefork child's connection pool around every task unless config.dbpool stops it."""
    start_worker(pool="prefork", concurrency=2, DATABASE_POOL="1")

    def ask(text):
        return accept(InboundMessage(channel="chat", text=text, user_id=colleague.pk), user=colleague).message

    def all_answered(messages):
        return lambda: Message.objects.filter(direction="outbound", in_reply_to__in=messages).count() == len(messages)

    warm_up = [ask("first question"), ask("second question")]  # each child opens its pool
    wait_for(all_answered(warm_up), "the first answers", timeout=90)
    before = database_sessions_so_far()
    messages = [ask(f"question {n}") for n in range(8)]
    wait_for(all_answered(messages), "the worker's answers", timeout=90)
    time.sleep(1)  # a session that just ended reaches the statistics
    assert database_sessions_so_far() - before <= 2  # 16 task boundaries: two to three sessions each before


def test_a_real_worker_apologises_for_a_poisoned_message_and_answers_the_next(broker, start_worker, colleague, poison):
    """Storing one message's answer fails every time (issue 29: its lease stayed held and the conversation went
    silent): the tasks retry through the broker, the last attempt apologises, and the next message is answered."""
    poison("poisoned")
    worker = start_worker(pool="prefork", concurrency=2, DATABASE_POOL="1")
    bad, good = (
        accept(InboundMessage(channel="chat", text=text, user_id=colleague.pk), user=colleague).message
        for text in ("a poisoned question", "a fine question")
    )

    def answered():
        return Message.objects.filter(direction="outbound", in_reply_to__in=[bad, good]).count() == 2

    wait_for(answered, "the apology and the answer after it", timeout=120)
    assert worker.poll() is None
    assert Message.objects.get(in_reply_to=bad).text == str(FAILED_REPLY)
    assert Message.objects.get(in_reply_to=good).metadata["agent_type"] == "paid_ads"
    failed = PlatformEvent.objects.get(event_type=EventType.ANSWER_FAILED)
    assert failed.subject_id == bad.pk and failed.metadata["attempts"] == settings.ANSWER_ATTEMPTS
    settled = Conversation.objects.filter(pk=bad.conversation_id).values("answered_seq", "answer_lease")
    assert settled.get() == {"answered_seq": good.seq, "answer_lease": None}
