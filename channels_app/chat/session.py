"""What a chat socket does with the database: find its conversation, build history, run a message.

Everything here is synchronous and runs in a worker thread (never on the event loop).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError

from conversations import events
from conversations.models import Channel, Conversation, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline import ingest
from conversations.services import with_current_status

HISTORY_SIZE = 50


def open_conversation(user) -> Conversation | None:
    return (
        Conversation.objects.filter(user=user, channel=Channel.CHAT)
        .exclude(status=Conversation.Status.CLOSED)
        .order_by("-last_message_at")
        .first()
    )


def own_conversation(user, conversation_id) -> Conversation | None:
    """The user's chat conversation with this id, or None (another user's or tenant's is never found)."""
    try:
        return Conversation.objects.filter(pk=conversation_id, user=user, channel=Channel.CHAT).first()
    except ValidationError:  # a malformed id from the query string
        return None


def _message(m: Message) -> dict:
    return {
        "id": str(m.pk),
        "direction": m.direction,
        "sender_type": m.sender_type,
        "text": m.text,
        "agent": m.metadata.get("agent_type"),
        "actions": with_current_status(m.metadata.get("actions", [])),
        "created_at": m.created_at.isoformat(),
    }


def history(conversation: Conversation | None) -> dict:
    """The last messages of the conversation, oldest first, and the seq they correspond to."""
    if conversation is None:
        return {"type": "history", "conversation_id": None, "messages": [], "seq": 0}
    seq = events.latest_seq(conversation.pk)
    latest = conversation.messages.order_by("-created_at")[:HISTORY_SIZE]
    return {
        "type": "history",
        "conversation_id": str(conversation.pk),
        "messages": [_message(m) for m in reversed(latest)],
        "seq": seq,
    }


def run_message(user, message: str, client_msg_id, agent, *, follow: Callable[[Conversation], None]) -> dict | None:
    """Take the message through the pipeline, publishing its events. Returns a frame for this socket only, or None.

    `follow(conversation)` is called before the first event, so the socket is in the
    conversation's group when it is published.
    """

    def accepted(conversation, inbound, routed_agent):
        follow(conversation)
        events.publish(
            conversation.pk, "message_received", id=str(inbound.pk), client_msg_id=client_msg_id, text=inbound.text
        )
        events.publish(
            conversation.pk, "agent_typing", on=True, agent=routed_agent.agent_type if routed_agent else None
        )

    try:
        result = ingest(
            InboundMessage(
                channel=Channel.CHAT,
                text=message,
                user_id=user.pk,
                agent_type=agent,
                # Namespaced by user: one person's client ids never collide with another's.
                channel_message_id=f"{user.pk}:{client_msg_id}" if client_msg_id else None,
            ),
            on_accepted=accepted,
        )
    except IngestError as err:
        return {"type": "error", "code": err.code, "detail": err.detail, "client_msg_id": client_msg_id}

    conversation = result.conversation
    if result.duplicate:  # already answered; its events are in the store for a resuming client
        return {
            "type": "message_received",
            "id": str(result.inbound.pk),
            "client_msg_id": client_msg_id,
            "conversation_id": str(conversation.pk),
            "duplicate": True,
            "seq": events.latest_seq(conversation.pk),
        }
    Message.objects.filter(pk=result.reply.pk, status=Message.Status.PENDING).update(status=Message.Status.DELIVERED)
    agent_type = result.reply.metadata.get("agent_type")
    events.publish(conversation.pk, "agent_typing", on=False, agent=agent_type)
    events.publish(
        conversation.pk,
        "agent_response",
        message_id=str(result.reply.pk),
        text=result.reply.text,
        agent=agent_type,
        actions=[outcome.as_dict() for outcome in result.actions],
    )
    return None
