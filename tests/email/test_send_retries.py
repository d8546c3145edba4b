"""Sending a conversation's email: an outage (5xx, 429, unreachable) is retried by Celery with exponential backoff,
a refusal is not, and a send out of retries is recorded failed where the admin shows it."""

import pytest

from channels_app.email import tasks
from channels_app.email.providers import ProviderUnavailable
from config.celery import app as celery_app
from conversations.models import Message
from tests.factories import ConversationFactory, MessageFactory

OUTAGE = {"errors": [{"message": "try later"}]}


@pytest.fixture
def reply(tenant, requester):
    conversation = ConversationFactory(user=requester, tenant=tenant, channel="email")
    return MessageFactory(
        conversation=conversation, direction="outbound", sender_type="agent", text="The report.", status="pending"
    )


@pytest.fixture
def run(monkeypatch):
    """As a worker would: eager mode performs the retries at once, countdowns skipped."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    return lambda message: tasks.send_message.apply(args=[str(message.pk)])


def test_sends_retry_through_celery_with_exponential_backoff():
    for task in (tasks.send_message, tasks.send_answer):
        assert task.autoretry_for == (ProviderUnavailable,)
        assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (60, 3600, tasks.RETRIES)


def test_an_outage_is_retried_then_sent(sendgrid, reply, run):
    sendgrid.fail_with(503, OUTAGE, times=2)
    run(reply)
    assert len(sendgrid.mails) == 3
    assert Message.objects.get(pk=reply.pk).status == "sent"


def test_an_outage_that_lasts_is_recorded_failed_after_the_retries(sendgrid, reply, run):
    sendgrid.fail_with(503, OUTAGE, times=tasks.RETRIES + 1)
    result = run(reply)
    assert len(sendgrid.mails) == tasks.RETRIES + 1  # the first try and five retries
    message = Message.objects.get(pk=reply.pk)
    assert message.status == "failed" and "gave up" in message.error and "503" in message.error
    assert isinstance(result.result, ProviderUnavailable)


def test_a_refusal_is_not_retried(sendgrid, reply, run):
    sendgrid.fail_with(400, {"errors": [{"message": "bad address"}]})
    run(reply)
    assert len(sendgrid.mails) == 1
    assert Message.objects.get(pk=reply.pk).status == "failed"
