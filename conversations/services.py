"""Operations on conversations and messages outside the inbound pipeline."""

from django.utils import timezone

from analytics.events import record
from analytics.models import EventType
from conversations.models import Conversation, Message
from hitl.models import HITLApproval
from hitl.notifying import told
from tenants.pii import redact


def open_conversation(user, channel: str, *, now=None) -> Conversation:
    now = now or timezone.now()
    conversation = Conversation.objects.create(
        tenant=user.tenant, user=user, channel=channel, started_at=now, last_message_at=now
    )
    record(EventType.CONVERSATION_OPENED, tenant=user.tenant, user=user, conversation_id=conversation.pk)
    return conversation


def close_conversation(conversation: Conversation, *, ended_at, reason: Conversation.CloseReason) -> None:
    """Closed for `reason`; an ask for a person it held ends with it (conversations.person_asked)."""
    conversation.status = Conversation.Status.CLOSED
    conversation.ended_at = ended_at
    conversation.person_requested_at = None
    conversation.save(update_fields=["status", "ended_at", "person_requested_at"])
    record(
        EventType.CONVERSATION_CLOSED,
        tenant=conversation.tenant,
        user=conversation.user,
        conversation_id=conversation.pk,
        reason=reason,
    )


def mark_failed(message: Message, error: str, *, status: str = Message.Status.FAILED) -> None:
    """A channel could not deliver the message: recorded on it and, once, as a platform event.

    Channel senders call this (rather than saving the status themselves) so every channel
    failure reaches the event log; the error is redacted there. `status` is BLOCKED when the
    channel's rules forbid the send (e.g. WhatsApp's 24-hour window) rather than the send failing.
    """
    changed = (
        Message.objects.filter(pk=message.pk)
        .exclude(status__in=[Message.Status.FAILED, Message.Status.BLOCKED])
        .update(status=status, error=error[:2000])
    )
    message.status, message.error = status, error[:2000]
    if changed:
        record(
            EventType.CHANNEL_FAILURE,
            tenant=message.tenant_id,
            conversation_id=message.conversation_id,
            subject_id=message.pk,
            channel=message.channel,
            error=redact(error)[:300],
        )


def with_current_status(actions: list[dict]) -> list[dict]:
    """Stored action outcomes with each approval's status and summary as they stand now (decisions and edits
    change them after the reply), and what its chip shows beside them (hitl.notifying.told.chips)."""
    ids = [a["approval_id"] for a in actions if a.get("approval_id")]
    if not ids:
        return actions
    approvals = list(
        HITLApproval.objects.filter(pk__in=ids).only("status", "action_summary", "approval_level", "total_levels")
    )
    chips = told.chips(approvals)
    current = {str(a.pk): {"status": a.status, "summary": a.action_summary, **chips[str(a.pk)]} for a in approvals}
    return [{**a, **current.get(a.get("approval_id"), {})} for a in actions]
