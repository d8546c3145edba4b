"""Celery tasks sending email, with retries and backoff; a final failure is recorded where the admin shows it."""

from celery import shared_task

from channels_app.email import outbound, sender
from channels_app.email.providers import ProviderRefused, ProviderUnavailable
from conversations.models import Message
from conversations.services import mark_failed

RETRIES = 5


def _backoff(retries: int) -> int:
    return min(60 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, expires=24 * 3600)
def send_message(self, message_id: str) -> None:
    """Email a stored outbound conversation message (an agent reply, an approval outcome)."""
    try:
        sender.send_conversation_message(message_id)
    except ProviderUnavailable as error:
        if self.request.retries >= self.max_retries:
            outbound.give_up(f"message:{message_id}", f"gave up: {error}")
            mark_failed(Message.objects.get(pk=message_id), f"gave up: {error}")
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from error
    except (ProviderRefused, outbound.Undeliverable) as error:
        mark_failed(Message.objects.get(pk=message_id), str(error))


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, expires=24 * 3600)
def send_answer(self, payload: dict) -> None:
    """Answer an inbound email outside a conversation (a command's outcome, an unknown sender)."""
    try:
        sender.send_answer(payload)
    except ProviderUnavailable as error:
        if self.request.retries >= self.max_retries:
            outbound.give_up(payload["reference"], f"gave up: {error}")
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from error
    except (ProviderRefused, outbound.Undeliverable):
        return  # recorded on the delivery log row


def deliver(message_id: str) -> None:
    """The email channel's sender for conversations.delivery (called after commit)."""
    send_message.delay(message_id)
