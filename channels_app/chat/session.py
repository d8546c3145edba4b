"""What a chat socket does with the database: find its conversation, build history, start over (a message it
stores goes through channels_app.chat.route).

Everything here is synchronous and runs in a worker thread (never on the event loop).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conversations import events, satisfaction
from conversations.access import get_conversation_for_user
from conversations.models import Channel, Conversation, Message
from conversations.privacy import message_text
from conversations.services import close_conversation, with_current_status
from tenants.access import AccessDenied, Need
from tenants.privacy.audit import Origin, record

HISTORY_SIZE = 50


def find_conversation(user) -> Conversation | None:
    """The person's latest chat conversation that is not closed, if any: found, never opened."""
    return (
        Conversation.objects.filter(user=user, channel=Channel.CHAT)
        .select_related("tenant")
        .exclude(status=Conversation.Status.CLOSED)
        .order_by("-last_message_at")
        .first()
    )


def own_conversation(user, conversation_id) -> Conversation | None:
    """The chat conversation with this id if the user may write in it (conversations.access), else None."""
    try:
        conversation = get_conversation_for_user(user, conversation_id, Need.WRITE)
    except (AccessDenied, ValidationError):  # another's, or a malformed id from the query string
        return None
    return conversation if conversation.channel == Channel.CHAT else None


def _message(m: Message) -> dict:
    shown = {
        "id": str(m.pk),
        "direction": m.direction,
        "sender_type": m.sender_type,
        "text": message_text(m, revealed=True),  # only the person the conversation is with reads it here
        "agent": m.metadata.get("agent_type"),
        "actions": with_current_status(m.metadata.get("actions", [])),
        "created_at": m.created_at.isoformat(),
    }
    if m.sender_type == Message.SenderType.HUMAN:
        shown["name"] = m.metadata.get("author")  # the name of the person of the business who answered
    return shown


def latest_messages(conversation: Conversation) -> list[Message]:
    """What the person reads back of a conversation: its last messages, oldest first (staff notes are not messages)."""
    return list(reversed(conversation.messages.order_by("-created_at")[:HISTORY_SIZE]))


def history(conversation: Conversation | None, *, reader, origin: Origin) -> dict:
    """The last messages of the conversation, oldest first, and the seq they correspond to; recorded as a read."""
    if conversation is None:
        return {"type": "history", "conversation_id": None, "messages": [], "seq": 0}
    record(reader, conversation, tenant=conversation.tenant, origin=origin)
    seq = events.latest_seq(conversation.pk)
    frame = {
        "type": "history",
        "conversation_id": str(conversation.pk),
        "messages": [_message(m) for m in latest_messages(conversation)],
        "open": conversation.is_open,  # a closed one is read back; the next message opens a new conversation
        "waiting_for_person": conversation.waits_for_person,  # asked for one, and nobody holds it yet
        "seq": seq,
    }
    if (rating := satisfaction.standing(conversation)) is not None:  # the ask stays until answered or expired
        frame["satisfaction"] = rating
    return frame


def start_over(user, conversation_id) -> None:
    """Close the person's own open chat conversation (recorded as a platform event) so the next message opens anew.

    Only a conversation the person may write in (conversations.access) is closed; anything else is left alone.
    """
    if not conversation_id:
        return
    with transaction.atomic():
        conversation = own_conversation(user, conversation_id)
        if conversation is None:
            return
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status != Conversation.Status.CLOSED:
            close_conversation(locked, ended_at=timezone.now(), reason=Conversation.CloseReason.NEW_CONVERSATION)
