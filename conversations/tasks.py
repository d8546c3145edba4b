import uuid
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import F, Q
from django.utils import timezone

from conversations import pipeline, quiet, retention, support_notices
from conversations.models import Conversation, ConversationEvent
from conversations.pipeline import revisions
from core.sending import TransientSendError
from tenants.models import SupportNotice

ANSWER_RETRIES = 20
SWEEP_GRACE = timedelta(seconds=60)  # a message this fresh still has its own task on the way
SWEEP_BATCH = 500


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=ANSWER_RETRIES,
    expires=6 * 3600,
    # The database went away mid-answer (a failover, a dropped connection): try again within seconds, not at the
    # straggler sweep's next pass. Jitter spreads the retries of every task the same cut hit.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=10,
    retry_jitter=True,
)
def answer_message(self, conversation_id: str, message_id: str | None) -> None:
    """Answer the conversation's waiting messages (the one that enqueued this among them). Safe to run twice.

    The task's id names its lease: a retry after a database error takes back the lease its cut-off attempt held.
    """
    lease = uuid.UUID(self.request.id) if self.request.id else None
    retry_in = pipeline.answer(conversation_id, message_id, lease=lease)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(acks_late=True, expires=6 * 3600)
def revise_proposal(approval_id: str) -> None:
    """The agent answers an approver's note with a revised proposal (conversations.pipeline.revisions)."""
    revisions.revise(approval_id)


class SupportNoticeTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries: recorded as failed (support_notices.record_failure)."""
        if isinstance(exc, TransientSendError):
            recipient = args[1] if len(args) > 1 else kwargs.get("recipient_id")
            channel = SupportNotice.EMAIL if recipient else SupportNotice.SLACK
            support_notices.record_failure(args[0] if args else kwargs["conversation_id"], channel, f"gave up: {exc}")


@shared_task(
    base=SupportNoticeTask,
    acks_late=True,
    expires=24 * 3600,
    autoretry_for=(TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=5,
)
def tell_support(conversation_id: str, recipient_id: str | None = None) -> None:
    """Tell support that the customer asked for a person: on Slack, or by email to `recipient_id` (support_notices)."""
    support_notices.tell(conversation_id, recipient_id)


@shared_task(expires=55)
def answer_stragglers() -> int:
    """Conversations with a message still waiting and no worker on them: their answer task was lost."""
    now = timezone.now()
    waiting = (
        Conversation.objects.filter(last_inbound_seq__gt=F("answered_seq"), last_message_at__lt=now - SWEEP_GRACE)
        .filter(Q(answer_lease_until__isnull=True) | Q(answer_lease_until__lt=now))
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ids = [str(pk) for pk in waiting]
    for conversation_id in ids:
        answer_message.delay(conversation_id, None)
    return len(ids)


@shared_task(expires=3600)
def prune_chat_events() -> int:
    """Delete chat events past the replay window; conversations and messages are untouched."""
    cutoff = timezone.now() - timedelta(days=settings.CHAT_EVENT_RETENTION_DAYS)
    deleted, _ = ConversationEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(expires=3600)
def apply_message_retention() -> int:
    """Remove message content past each tenant's retention period (rows and counts stay)."""
    return retention.apply_message_retention()


@shared_task(expires=240)
def close_quiet_conversations() -> int:
    """Conversations quiet after the agents' answer: closed, and their people asked for a rating (quiet.py)."""
    return quiet.close_quiet_conversations()
