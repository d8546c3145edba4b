"""The message path with a real Celery worker: prefork, two processes, the Redis broker, the database pool on."""

from conversations.models import Message
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from tests.workers import wait_for


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
