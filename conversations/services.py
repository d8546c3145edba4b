"""Operations on conversations and messages outside the inbound pipeline."""

from django.utils import timezone

from analytics.events import record
from analytics.models import EventType
from conversations.models import Conversation
from hitl.models import HITLApproval


def open_conversation(user, channel: str, *, now=None) -> Conversation:
    now = now or timezone.now()
    conversation = Conversation.objects.create(
        tenant=user.tenant, user=user, channel=channel, started_at=now, last_message_at=now
    )
    record(EventType.CONVERSATION_OPENED, tenant=user.tenant, user=user, conversation_id=conversation.pk)
    return conversation


def close_conversation(conversation: Conversation, *, ended_at, reason: str) -> None:
    conversation.status = Conversation.Status.CLOSED
    conversation.ended_at = ended_at
    conversation.save(update_fields=["status", "ended_at"])
    record(
        EventType.CONVERSATION_CLOSED,
        tenant=conversation.tenant,
        user=conversation.user,
        conversation_id=conversation.pk,
        reason=reason,
    )


def with_current_status(actions: list[dict]) -> list[dict]:
    """Stored action outcomes with each approval's status as it stands now (they change after the reply)."""
    ids = [a["approval_id"] for a in actions if a.get("approval_id")]
    if not ids:
        return actions
    current = {str(pk): status for pk, status in HITLApproval.objects.filter(pk__in=ids).values_list("pk", "status")}
    return [{**a, "status": current.get(a.get("approval_id"), a["status"])} for a in actions]
