"""Every outbound message Walker writes on a conversation is built here, whoever speaks: an agent's answer (the
pipeline), a person's reply after a takeover, and what the system says (an approval's outcome, through
`conversations.delivery`). Below the pipeline and `delivery`, so both may build with it."""

from django.utils import timezone

from conversations.models import Channel, Conversation, Message
from core.metrics import MESSAGES_SENT, inc_on_commit

# Channels whose readers take messages from the store (the chat socket, the API): stored is delivered.
READ_FROM_STORE = frozenset({Channel.CHAT, Channel.API})


def outbound_message(
    conversation: Conversation,
    *,
    sender_type: str,
    text: str,
    metadata: dict,
    seq: int | None = None,
    created_at=None,
    in_reply_to_id=None,
) -> Message:
    """An unsaved outbound message on the conversation's channel: the caller saves it in its own transaction.
    Pending until its channel's sender sends it, unless its channel is read from the store. Counted as sent once
    the caller's transaction commits."""
    inc_on_commit(MESSAGES_SENT, channel=conversation.channel)
    return Message(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.OUTBOUND,
        sender_type=sender_type,
        text=text,
        metadata=metadata,
        seq=seq,
        created_at=created_at or timezone.now(),
        in_reply_to_id=in_reply_to_id,
        status=Message.Status.DELIVERED if conversation.channel in READ_FROM_STORE else Message.Status.PENDING,
    )
