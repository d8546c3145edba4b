"""Celery tasks sending email: an outage (`ProviderUnavailable`) is retried by Celery with exponential backoff, a
refusal is not; a final failure is recorded where the admin shows it."""

from celery import Task, shared_task

from channels_app.email import deliver, send
from channels_app.email.providers import ProviderRefused, ProviderUnavailable
from conversations.models import Message
from conversations.services import mark_failed
from tenants.crypto import DecryptionError

RETRIES = 5
RETRY_ON_OUTAGE = dict(
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=RETRIES,
)


def _why(exc: Exception) -> str:
    """An outage out of retries, or a fault of ours (trying again cannot help; raised to the worker's log too)."""
    return f"gave up: {exc}" if isinstance(exc, ProviderUnavailable) else f"could not be sent: {exc!r}"


class SendMessageTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        message_id = args[0] if args else kwargs["message_id"]
        _failed(f"message:{message_id}", _why(exc), message_id=message_id)


class SendAnswerTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, DecryptionError):
            return  # no key opens the answer: no reference to record it under
        send.give_up(deliver.open_answer(args[0] if args else kwargs["sealed"])["reference"], _why(exc))


@shared_task(base=SendMessageTask, acks_late=True, expires=24 * 3600, **RETRY_ON_OUTAGE)
def send_message(message_id: str) -> None:
    """Email a stored outbound conversation message (an agent reply, an approval outcome)."""
    try:
        deliver.send_conversation_message(message_id)
    except (ProviderRefused, send.Undeliverable) as error:
        mark_failed(Message.objects.get(pk=message_id), str(error))


@shared_task(base=SendAnswerTask, acks_late=True, expires=24 * 3600, **RETRY_ON_OUTAGE)
def send_answer(sealed: str) -> None:
    """Answer an inbound email outside a conversation (a command's outcome, an unknown sender); `sealed` is the
    answer as channels_app.email.deliver.seal_answer encrypted it."""
    try:
        deliver.send_answer(deliver.open_answer(sealed))
    except (ProviderRefused, send.Undeliverable):
        return  # recorded on the delivery log row


def _failed(reference: str, reason: str, *, message_id: str) -> None:
    """The send is over: its delivery log row (if it got one) and its message say so."""
    send.give_up(reference, reason)
    message = Message.objects.filter(pk=message_id).first()
    if message is not None:
        mark_failed(message, reason)
