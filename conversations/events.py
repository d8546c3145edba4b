"""Numbered real-time events of a conversation: stored, then broadcast to its channel-layer group.

Numbers come from a counter on the conversation row, taken under its lock, so
they are gapless and ordered. Broadcasting happens after commit; a consumer
that sees a number jump fills the gap from the store (see channels_app.chat).
"""

import asyncio
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.db import models, transaction

from conversations.models import Conversation, ConversationEvent
from core import layer

REPLAY_LIMIT = 500
WAIT_POLL_SECONDS = 0.1  # how often a long poll of the events API looks at the store


class EventKind(models.TextChoices):
    """Stored, numbered events of a conversation (docs/chat-protocol.md)."""

    MESSAGE_RECEIVED = "message_received", "Message received"
    AGENT_RESPONSE = "agent_response", "Agent response"
    APPROVAL_UPDATE = "approval_update", "Approval update"
    HUMAN_JOINED = "human_joined", "A person took the conversation over"
    HUMAN_REPLY = "human_reply", "A person's reply"
    HUMAN_LEFT = "human_left", "The agents answer again"
    SATISFACTION_ASKED = "satisfaction_asked", "The person is asked to rate the conversation"


class Signal(models.TextChoices):
    """Frames that are broadcast but neither stored nor numbered."""

    AGENT_TYPING = "agent_typing", "Agent typing"
    AGENT_DELTA = "agent_delta", "Part of an answer being written"
    USER_TYPING = "user_typing", "User typing"
    CONVERSATION_STARTED = "conversation_started", "Conversation started"


def conversation_group(conversation_id) -> str:
    return f"conversation.{conversation_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def broadcast(group: str, frame: dict) -> None:
    layer.group_send(group, {"type": "chat.frame", "frame": frame})


def append(conversation_id, seq: int, kind: EventKind, **payload) -> dict:
    """Store event `seq`, which the caller numbered while holding the conversation row; broadcast it after commit."""
    event = ConversationEvent.objects.create(conversation_id=conversation_id, seq=seq, event_type=kind, payload=payload)
    return broadcast_after_commit(event)


def broadcast_after_commit(event: ConversationEvent) -> dict:
    """The frame of `event`, just stored; it reaches the conversation's group once the transaction commits."""
    frame = event.frame()
    # Robust: a lost broadcast is found in the store by the sockets' resync.
    transaction.on_commit(lambda: broadcast(conversation_group(event.conversation_id), frame), robust=True)
    return frame


@transaction.atomic
def publish(conversation_id, kind: EventKind, **payload) -> dict:
    """Number, store and (after commit) broadcast one event outside the message pipeline."""
    seq = (
        Conversation.objects.select_for_update(no_key=True)
        .filter(pk=conversation_id)
        .values_list("event_seq", flat=True)
        .get()
        + 1
    )
    Conversation.objects.filter(pk=conversation_id).update(event_seq=seq)
    return append(conversation_id, seq, kind, **payload)


def signal(conversation_id, kind: Signal, **payload) -> None:
    """Broadcast a passing state (typing) to the conversation's sockets; it is not stored and has no seq."""
    broadcast(conversation_group(conversation_id), _signal_frame(conversation_id, kind, payload))


def signal_unless_over(conversation_id, kind: Signal, delay: float, **payload) -> Callable[[], None]:
    """`signal`, in `delay` seconds unless the function returned is called first (the state is over by then)."""
    frame = _signal_frame(conversation_id, kind, payload)
    return layer.group_send_later(conversation_group(conversation_id), {"type": "chat.frame", "frame": frame}, delay)


def _signal_frame(conversation_id, kind: Signal, payload: dict) -> dict:
    return {**payload, "type": kind, "conversation_id": str(conversation_id)}


def replay(conversation_id, after_seq: int, *, up_to: int | None = None) -> list[dict]:
    """Stored events after `after_seq` (and up to `up_to`), in order."""
    events = ConversationEvent.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
    if up_to is not None:
        events = events.filter(seq__lte=up_to)
    return [event.frame() for event in events.order_by("seq")[:REPLAY_LIMIT]]


def latest_seq(conversation_id) -> int:
    return Conversation.objects.filter(pk=conversation_id).values_list("event_seq", flat=True).first() or 0


async def wait_for_events(conversation_id, after_seq: int, timeout: float) -> list[dict]:
    """Stored events after `after_seq`; if there are none yet, wait up to `timeout` seconds for the next.

    Answered from the store, which is checked every WAIT_POLL_SECONDS: a waiting client holds no
    thread and no subscription, only a timer.
    """
    read = sync_to_async(replay)
    frames = await read(conversation_id, after_seq)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not frames and loop.time() < deadline:
        await asyncio.sleep(min(WAIT_POLL_SECONDS, max(deadline - loop.time(), 0)))
        frames = await read(conversation_id, after_seq)
    return frames
