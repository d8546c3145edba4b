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
            _failed(f"message:{message_id}", f"gave up: {error}", message_id=message_id)
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from error
    except (ProviderRefused, outbound.Undeliverable) as error:
        mark_failed(Message.objects.get(pk=message_id), str(error))
    except Exception as error:  # a fault of ours: trying again cannot help; recorded, then raised to the worker's log
        _failed(f"message:{message_id}", f"could not be sent: {error!r}", message_id=message_id)
        raise


@shared_task(bind=True, acks_late=True, max_retries=RETRIES, expires=24 * 3600)
def send_answer(self, sealed: str) -> None:
    """Answer an inbound email outside a conversation (a command's outcome, an unknown sender); `sealed` is the
    answer as channels_app.email.sender.seal_answer encrypted it."""
    payload = sender.open_answer(sealed)
    try:
        sender.send_answer(payload)
    except ProviderUnavailable as error:
        if self.request.retries >= self.max_retries:
            outbound.give_up(payload["reference"], f"gave up: {error}")
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from error
    except (ProviderRefused, outbound.Undeliverable):
        return  # recorded on the delivery log row
    except Exception as error:
        outbound.give_up(payload["reference"], f"could not be sent: {error!r}")
        raise


def _failed(reference: str, reason: str, *, message_id: str) -> None:
    """The send is over: its delivery log row (if it got one) and its message say so."""
    outbound.give_up(reference, reason)
    message = Message.objects.filter(pk=message_id).first()
    if message is not None:
        mark_failed(message, reason)
