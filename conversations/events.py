"""Numbered real-time events of a conversation: stored, then broadcast to its channel-layer group.

Numbers come from a counter on the conversation row, taken under its lock, so
they are gapless and ordered. Broadcasting happens after commit; a consumer
that sees a number jump fills the gap from the store (see channels_app.chat).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from conversations.models import Conversation, ConversationEvent

REPLAY_LIMIT = 500


def conversation_group(conversation_id) -> str:
    return f"conversation.{conversation_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def broadcast(group: str, frame: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, {"type": "chat.frame", "frame": frame})


@transaction.atomic
def publish(conversation_id, event_type: str, **payload) -> dict:
    conversation = Conversation.objects.select_for_update().only("id", "event_seq").get(pk=conversation_id)
    conversation.event_seq += 1
    conversation.save(update_fields=["event_seq"])
    event = ConversationEvent.objects.create(
        conversation_id=conversation_id, seq=conversation.event_seq, event_type=event_type, payload=payload
    )
    frame = event.frame()
    transaction.on_commit(lambda: broadcast(conversation_group(conversation_id), frame))
    return frame


def replay(conversation_id, after_seq: int, *, up_to: int | None = None) -> list[dict]:
    """Stored events after `after_seq` (and up to `up_to`), in order."""
    events = ConversationEvent.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
    if up_to is not None:
        events = events.filter(seq__lte=up_to)
    return [event.frame() for event in events.order_by("seq")[:REPLAY_LIMIT]]


def latest_seq(conversation_id) -> int:
    return Conversation.objects.filter(pk=conversation_id).values_list("event_seq", flat=True).first() or 0
