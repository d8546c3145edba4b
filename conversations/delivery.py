"""How the layers above the pipeline speak to a user on their conversation's channel.

Each channel registers a sender when its app is ready; `hitl` calls `tell_requester`
to report an approval's outcome. Without a sender (e.g. the API channel), the
message is stored and the user reads it from the conversation.
"""

import logging
from collections.abc import Callable

from celery import Task
from django.utils.translation import gettext

from conversations import events
from conversations.models import Channel, Conversation, Message
from conversations.outbound import outbound_message
from core.commit import after_commit
from tenants.languages import speaking

log = logging.getLogger(__name__)
# Channels whose readers take messages from the store (the chat socket, the API): stored is delivered.
READ_FROM_STORE = {Channel.CHAT, Channel.API}
_senders: dict[str, Task] = {}
_refusals: dict[str, Callable[[Message], str | None]] = {}


def register_sender(channel: str, deliver: Task, *, refuse: Callable[[Message], str | None] | None = None) -> None:
    """The task `deliver(message_id)` sends a stored outbound message over `channel` (queued after commit).

    `refuse(message)`, optional, is asked by `hand_over` before queueing: when the channel's rules forbid the send
    now (WhatsApp's 24-hour window), it records the message as blocked, as `deliver` would, and returns why.
    """
    _senders[channel] = deliver
    if refuse is not None:
        _refusals[channel] = refuse


def hand_over(message: Message) -> str | None:
    """Queue a stored outbound message for its channel's sender, unless the channel's rules refuse it now: then it
    is recorded as blocked and the reason returned, so the person who wrote it learns the outcome at once."""
    refuse = _refusals.get(message.channel)
    if refuse is not None and (reason := refuse(message)):
        return reason
    deliver_after_commit(message)
    return None


def display_name(user) -> str:
    """How a person of the tenant is shown to customers and requesters: their name, never their address."""
    name = f"{user.first_name} {user.last_name}".strip()
    return name or gettext("%(role)s team") % {"role": user.get_role_display()}


# A person's reply on a channel that shows no sender (WhatsApp, email) says who answers: `conversations.takeover`
# stores the author, their company and whether this reply introduces them; the channel senders ask these.
def _in_customers_language(message: Message, words: Callable[[], str]) -> str:
    with speaking(message.conversation.user):
        return words()


def as_sent(message: Message) -> str:
    """The text a channel without sender names sends: a person's first reply of their hold starts with who answers
    ("Dana Reyes (Acme Outdoor) here:"); everything else is the text as stored."""
    meta = message.metadata or {}
    if message.sender_type != Message.SenderType.HUMAN or not meta.get("introduce") or not meta.get("author"):
        return message.text
    intro = _in_customers_language(message, lambda: introduction(meta))
    return f"{intro}\n{message.text}"


def introduction(meta: dict) -> str:
    if meta.get("company"):
        return gettext("%(name)s (%(company)s) here:") % {"name": meta["author"], "company": meta["company"]}
    return gettext("%(name)s here:") % {"name": meta["author"]}


def signed_as(message: Message) -> str | None:
    """Who a person's reply is from, as an email's sender name ("Dana Reyes (Acme Outdoor)"); None for the rest."""
    meta = message.metadata or {}
    if message.sender_type != Message.SenderType.HUMAN or not meta.get("author"):
        return None
    return f"{meta['author']} ({meta['company']})" if meta.get("company") else meta["author"]


def signed_text(message: Message) -> str:
    """An email's text: a person's reply ends with their signature line; everything else as stored."""
    line = signature(message)
    return f"{message.text}\n\n{line}" if line else message.text


def signature(message: Message) -> str:
    """The line that ends a person's emailed reply ("— Dana Reyes, Acme Outdoor"); empty for the rest."""
    meta = message.metadata or {}
    if message.sender_type != Message.SenderType.HUMAN or not meta.get("author"):
        return ""
    parts = [meta["author"], meta.get("company") or ""]
    return "— " + ", ".join(part for part in parts if part)


def deliver_after_commit(message: Message) -> None:
    """Hand a stored outbound message to its channel's sender once the transaction commits (if it has one)."""
    deliver = _senders.get(message.channel)
    if deliver is not None:
        after_commit(deliver, str(message.pk))


def send(conversation: Conversation, text: str, **metadata) -> Message:
    """A system message (an approval's outcome) stored on the conversation and handed to its channel's sender."""
    message = outbound_message(conversation, sender_type=Message.SenderType.SYSTEM, text=text, metadata=metadata)
    message.save(force_insert=True)
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


def tell_requester(
    conversation: Conversation, text: str, *, approval_id, reference, status, summary, **extra
) -> Message:
    """Report an approval's outcome in words on the conversation's channel; `extra` goes with its event only."""
    message = send(conversation, text, approval_id=str(approval_id), status=status, reference=reference)
    approval_changed(
        conversation,
        approval_id=approval_id,
        reference=reference,
        status=status,
        summary=summary,
        text=text,
        message_id=str(message.pk),
        **extra,
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
