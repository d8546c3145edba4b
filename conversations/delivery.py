"""How the layers above the pipeline speak to a user on their conversation's channel.

Each channel registers a sender when its app is ready; `hitl` calls `tell_requester`
to report an approval's outcome. Without a sender (e.g. the API channel), the
message is stored and the user reads it from the conversation.
"""

import logging
from collections.abc import Callable

from django.db import transaction

from conversations import events
from conversations.models import Channel, Conversation, Message

log = logging.getLogger(__name__)
# Channels whose readers take messages from the store (the chat socket, the API): stored is delivered.
READ_FROM_STORE = {Channel.CHAT, Channel.API}
_senders: dict[str, Callable[[str], None]] = {}


def register_sender(channel: str, deliver: Callable[[str], None]) -> None:
    """`deliver(message_id)` sends a stored outbound message over `channel` (after the transaction commits)."""
    _senders[channel] = deliver


def deliver_after_commit(message: Message) -> None:
    """Hand a stored outbound message to its channel's sender once the transaction commits (if it has one)."""
    deliver = _senders.get(message.channel)
    if deliver is not None:
        transaction.on_commit(lambda: deliver(str(message.pk)))


def send(conversation: Conversation, text: str, **metadata) -> Message:
    message = Message.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.OUTBOUND,
        sender_type=Message.SenderType.SYSTEM,
        text=text,
        metadata=metadata,
        status=Message.Status.DELIVERED if conversation.channel in READ_FROM_STORE else Message.Status.PENDING,
    )
    deliver_after_commit(message)
    return message


def approval_changed(conversation: Conversation, *, approval_id, reference, status, summary, **extra) -> None:
    """An approval asked for in this conversation changed status: an event every follower sees (chat, API, console)."""
    events.publish(
        conversation.pk,
        events.EventKind.APPROVAL_UPDATE,
        approval_id=str(approval_id),
        reference=reference,
        status=status,
        summary=summary,
        **extra,
    )
    if status != "pending" and not conversation.approvals.filter(status="pending").exists():
        Conversation.objects.filter(pk=conversation.pk, status=Conversation.Status.WAITING_APPROVAL).update(
            status=Conversation.Status.OPEN
        )


def tell_requester(conversation: Conversation, text: str, *, approval_id, reference, status, summary) -> Message:
    """Report an approval's outcome in words on the conversation's channel."""
    message = send(conversation, text, approval_id=str(approval_id), status=status, reference=reference)
    approval_changed(
        conversation,
        approval_id=approval_id,
        reference=reference,
        status=status,
        summary=summary,
        text=text,
        message_id=str(message.pk),
    )
    return message


_direct_senders: dict[str, Callable[..., str]] = {}


def register_direct_sender(channel: str, send_to: Callable[..., str]) -> None:
    """`send_to(address, text, **details) -> provider message id`: a message to a person outside any conversation.

    `details` are what the caller knows and the channel may need (e.g. WhatsApp's `tenant_id`,
    the template `purpose` and its `values` outside the 24-hour window).
    """
    _direct_senders[channel] = send_to


def send_direct(channel: str, address: str, text: str, **details) -> tuple[str, str]:
    """Send to a phone number or address; returns (provider, provider message id).

    Without a registered provider the console one is used: it prints what would be sent.
    """
    sender = _direct_senders.get(channel)
    if sender is None:
        log.info("[%s console] to %s: %s", channel, address, text)
        return "console", ""
    return channel, sender(address, text, **details)
