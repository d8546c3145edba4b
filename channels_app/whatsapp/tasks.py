"""Celery tasks of the WhatsApp channel: they take ids and call the channel's services; safe to run twice."""

from celery import Task, shared_task

from channels_app.whatsapp import codes, deliver
from channels_app.whatsapp.models import WhatsAppContact
from channels_app.whatsapp.twilio_api import TransientTwilioError

SEND_RETRIES = 6
# Twilio's 429s and 5xx are retried by Celery itself, backing off exponentially with jitter.
RETRY_ON_TWILIO = dict(
    autoretry_for=(TransientTwilioError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=SEND_RETRIES,
)


class DeliverTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries (or an unexpected error): the message is recorded as failed, visible in the admin."""
        deliver.give_up(args[0] if args else kwargs["message_id"], exc)


@shared_task(base=DeliverTask, acks_late=True, expires=24 * 3600, **RETRY_ON_TWILIO)
def deliver_message(message_id: str) -> None:
    deliver.deliver_message(message_id)


@shared_task(expires=3600, **RETRY_ON_TWILIO)
def send_reply(tenant_id: str, phone_hash: str, text: str) -> None:
    """A short answer to someone who just wrote (a code confirmed, a decision taken, how to get access), named by
    their WhatsApp contact's key; a contact erased meanwhile gets nothing."""
    contact = WhatsAppContact.objects.filter(tenant_id=tenant_id, phone_hash=phone_hash).first()
    if contact is not None:
        deliver.send_direct(contact.phone, text, tenant_id=tenant_id)


@shared_task(expires=3600, **RETRY_ON_TWILIO)
def send_verification_code(phone_id: str) -> None:
    codes.send_code(phone_id)
