"""Many writers on one conversation, on PostgreSQL with real connections: no deadlock, no 5xx, answered in order.

Workers are threads that take queued answer tasks as Celery workers would (a task that
finds the lease taken is queued again), so two of them race for the same conversation.
"""

import queue
import threading
import time

import pytest
from django.db import connections
from rest_framework.test import APIClient

from conversations.models import Conversation, ConversationEvent, Message
from conversations.services import open_conversation

WRITERS, QUESTIONS, WORKERS = 16, 5, 3


def work(tasks: queue.Queue, stop: threading.Event, errors: list):
    try:
        while not stop.is_set():
            try:
                task = tasks.get(timeout=0.05)
            except queue.Empty:
                continue
            if task.run() is not None:  # the lease is taken: later, as Celery would
                time.sleep(0.01)
                tasks.put(task)
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


def run_workers(tasks, until):
    stop, errors = threading.Event(), []
    workers = [threading.Thread(target=work, args=(tasks, stop, errors)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    try:
        until()
    finally:
        deadline = time.monotonic() + 30
        while not tasks.empty() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        stop.set()
        for worker in workers:
            worker.join()
    assert errors == []


def assert_answered_once_in_order(conversation):
    conversation.refresh_from_db()
    inbound = list(conversation.messages.filter(direction="inbound").order_by("seq"))
    replies = {m.in_reply_to_id: m for m in conversation.messages.filter(direction="outbound")}
    assert len(replies) == len(inbound) == conversation.messages.filter(direction="outbound").count()
    assert all(replies[m.pk].text == f"answer to {m.text}" for m in inbound)
    reply_seqs = [replies[m.pk].seq for m in inbound]
    assert reply_seqs == sorted(reply_seqs)  # answered in the order they arrived
    seqs = list(ConversationEvent.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * len(inbound) + 1))  # gapless, each once
    assert conversation.answered_seq == conversation.last_inbound_seq and conversation.answer_lease is None


@pytest.mark.slow
def test_sixteen_api_writers_on_one_conversation(postgres_only, colleague, queued):
    conversation = open_conversation(colleague, "api")
    url = f"/api/conversations/{conversation.pk}/messages/"
    statuses, lock = [], threading.Lock()

    def writer(n):
        client = APIClient()
        client.force_authenticate(colleague)
        try:
            for q in range(QUESTIONS):
                response = client.post(url, {"message": f"question {n}.{q}"}, format="json")
                with lock:
                    statuses.append(response.status_code)
        finally:
            connections.close_all()

    def write_all():
        writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()

    run_workers(queued, write_all)
    assert statuses == [202] * (WRITERS * QUESTIONS)
    assert Message.objects.filter(conversation=conversation, direction="inbound").count() == WRITERS * QUESTIONS
    assert_answered_once_in_order(conversation)
    # Each writer's own questions were stored in the order it sent them.
    for n in range(WRITERS):
        texts = conversation.messages.filter(sealed_text__startswith=f"question {n}.").order_by("seq")
        assert [m.text for m in texts] == [f"question {n}.{q}" for q in range(QUESTIONS)]


def test_concurrent_retries_of_one_delivery_are_stored_once(postgres_only, colleague, queued):
    conversation = open_conversation(colleague, "api")
    url = f"/api/conversations/{conversation.pk}/messages/"
    answers, lock = [], threading.Lock()

    def retry():
        client = APIClient()
        client.force_authenticate(colleague)
        try:
            response = client.post(url, {"message": "once", "client_msg_id": "same"}, format="json")
            with lock:
                answers.append((response.status_code, response.json()["message"]["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} <= {200, 202} and len({mid for _, mid in answers}) == 1
    assert Message.objects.filter(conversation=conversation, direction="inbound").count() == 1
    assert Conversation.objects.get(pk=conversation.pk).last_inbound_seq == 1
