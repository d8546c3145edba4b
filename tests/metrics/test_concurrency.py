"""Counting under concurrency, on PostgreSQL: the same provider message delivered twice at once is stored once and
counted once; counts from many threads of one process all land."""

import threading

import pytest

from conversations.models import Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from core.metrics import MESSAGES_SENT
from tests.concurrency import at_once
from tests.metrics.conftest import value
from tests.pipeline import hold_answer_tasks

RECEIVED = "walker_messages_received_total"


@pytest.mark.postgres("two connections racing on the unique provider id")
def test_a_delivery_retried_at_the_same_instant_is_counted_once(postgres_only, colleague, moves, monkeypatch):
    hold_answer_tasks(monkeypatch)
    inbound = InboundMessage(channel="api", text="hello", user_id=colleague.pk, channel_message_id="provider-1")
    first, second = at_once(lambda: accept(inbound), lambda: accept(inbound))
    assert sorted([first.duplicate, second.duplicate]) == [False, True]
    assert Message.objects.filter(channel_message_id="provider-1").count() == 1
    assert moves(RECEIVED, channel="api") == 1


def test_counts_from_many_threads_all_land():
    before = value("walker_messages_sent_total", channel="email")
    barrier = threading.Barrier(8)

    def count():
        barrier.wait(5)
        for _ in range(1000):
            MESSAGES_SENT.labels(channel="email").inc()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert value("walker_messages_sent_total", channel="email") == before + 8000
