"""Step one, in the web process: check, identify, store the inbound message and its event, enqueue the answer.

One short transaction per message, the same on every database. Locks, always in this
order and never stronger than needed: the sender's user row (only when a conversation
must be opened, so a person opens one at a time), then the conversation row, both
`FOR NO KEY UPDATE`, which leaves the rows' keys free for the foreign keys that point at
them. A message that continues a conversation is four statements: the locking read, the
message, the conversation's counters and its event (the event log's entry is written later, in bulk, by
reports.message_events); one that asks for a person adds its mark on the conversation
(conversations.person_asked).
"""

from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext

from agents.models import AgentType
from agents.understanding.handoff import asks_for_person
from conversations import console, events, person_asked
from conversations.events import EventKind
from conversations.identity import identify_sender
from conversations.models import Channel, Conversation, ConversationEvent, Message
from conversations.normalized import InboundMessage, IngestError
from conversations.pipeline.answering import give_back_unstarted, lease_with_message
from conversations.refusals import empty, too_long, unknown_agent
from conversations.services import close_conversation, open_conversation
from core.commit import after_commit
from core.metrics import MESSAGES_RECEIVED, inc_on_commit
from tenants.log_context import bind_tenant
from tenants.models import User

# By name: conversations.tasks imports this module (through conversations.pipeline) to run the answer.
ANSWER_TASK = "conversations.tasks.answer_message"


@dataclass(frozen=True)
class Accepted:
    """A stored inbound message. `frame` is its `message_received` event (None for a duplicate)."""

    conversation: Conversation
    message: Message
    frame: dict | None
    duplicate: bool = False


def accept(inbound: InboundMessage, *, user=None) -> Accepted:
    """Store the message and hand its answer to a worker. `user`: the sender, when the channel has authenticated them.

    A retried delivery (same channel and provider id) stores nothing and returns the first one.
    """
    _check(inbound)
    if user is None:
        user = identify_sender(inbound)
    try:
        return _store(inbound, user)
    except IntegrityError:  # the unique constraint on (channel, provider id): a retry, maybe arriving concurrently
        first = _first_delivery(inbound)
        if first is None:
            raise
        return Accepted(first.conversation, first, None, duplicate=True)


def _check(inbound: InboundMessage) -> None:
    if inbound.channel not in Channel.values:
        raise IngestError(
            "unknown_channel", gettext("Unknown channel %(channel)s.") % {"channel": repr(inbound.channel)}
        )
    if inbound.agent_type and inbound.agent_type not in AgentType.values:
        raise IngestError("unknown_agent", unknown_agent(inbound.agent_type))
    text = (inbound.text or "").strip()
    if not text and not inbound.media_url:
        raise IngestError("empty", empty())
    if len(text) > settings.INBOUND_MAX_CHARS:
        raise IngestError("too_long", too_long(text))


def client_message_id(user, client_msg_id: str | None) -> str | None:
    """The dedupe key of a message its client numbered itself (chat, API): a retry with the same id is a
    duplicate. Namespaced by user, so one person's client ids never collide with another's."""
    return f"{user.pk}:{client_msg_id}" if client_msg_id else None


def _first_delivery(inbound: InboundMessage) -> Message | None:
    if not inbound.channel_message_id:
        return None
    # Stored on its conversation's channel, which is the inbound channel unless it names the conversation.
    channel = inbound.channel
    if inbound.conversation_id:
        channel = Subquery(Conversation.objects.filter(pk=inbound.conversation_id).values("channel")[:1])
    return (
        Message.objects.filter(
            channel=channel, channel_message_id=inbound.channel_message_id, direction=Message.Direction.INBOUND
        )
        .select_related("conversation")
        .first()
    )


@transaction.atomic
def _store(inbound: InboundMessage, user) -> Accepted:
    bind_tenant(user.tenant_id)  # on this request's log lines and the answer task's
    conversation = _lock_conversation(inbound, user, timezone.now())
    # Taken under the lock, so times follow the seq order; never before the latest message (another host's clock).
    now = max(timezone.now(), conversation.last_message_at)
    seq = conversation.event_seq + 1
    # Asking for a person is read on every channel, here; while a person holds the conversation it is theirs anyway.
    asks = conversation.held_by_id is None and asks_for_person(inbound.text)
    message = _inbound_message(inbound, conversation, seq, now, asks_for_person=asks)
    message.save(force_insert=True)
    task_id, lease = lease_with_message(conversation, now)
    Conversation.objects.filter(pk=conversation.pk).update(
        event_seq=seq, last_inbound_seq=seq, last_message_at=now, **lease
    )
    conversation.event_seq = conversation.last_inbound_seq = seq
    conversation.last_message_at = now
    received = _received_event(message, inbound)
    received.save(force_insert=True)
    inc_on_commit(MESSAGES_RECEIVED, channel=conversation.channel)
    if asks:
        person_asked.note_ask(conversation, now)
    if conversation.held_by_id is not None:  # a person answers it: their console hears it now (never the text)
        console.customer_wrote(conversation)
    # else the agents answer it: the consoles read its `received` event (channels_app.console.activity)
    conversation_id, message_id = str(conversation.pk), str(message.pk)
    # Robust: should the broker be down, the message is stored all the same and the sweep answers it, once the
    # lease taken for the task that never left is given back.
    give_back = (lambda: give_back_unstarted(conversation_id, task_id)) if lease else None
    task = current_app.tasks[ANSWER_TASK]
    after_commit(task, conversation_id, message_id, robust=True, task_id=str(task_id), refused=give_back)
    return Accepted(conversation, message, events.broadcast_after_commit(received))


def _inbound_message(inbound: InboundMessage, conversation: Conversation, seq: int, now, *, asks_for_person) -> Message:
    """Stored on the conversation's channel (the API writes into chat conversations too). `asks_for_person`: it is
    answered with when a person will answer (conversations.person_asked)."""
    asked = {person_asked.ASKED: True} if asks_for_person else {}
    return Message(
        conversation=conversation,
        tenant_id=conversation.tenant_id,
        channel=conversation.channel,
        seq=seq,
        created_at=now,
        direction=Message.Direction.INBOUND,
        sender_type=Message.SenderType.CUSTOMER,
        content_type=inbound.content_type,
        text=inbound.text.strip(),
        media_url=inbound.media_url,
        channel_message_id=inbound.channel_message_id,
        status=Message.Status.DELIVERED,
        metadata={
            **{key: value for key, value in inbound.metadata.items() if key != person_asked.ASKED},
            **({"requested_agent": inbound.agent_type} if inbound.agent_type else {}),
            **asked,
        },
    )


def _received_event(message: Message, inbound: InboundMessage) -> ConversationEvent:
    """Its `message_received` event (the text sealed as the message's is)."""
    payload = {
        "id": str(message.pk),
        "client_msg_id": inbound.client_msg_id,
        "text": message.text,
        "sender_type": message.sender_type,
    }
    received = ConversationEvent(
        conversation_id=message.conversation_id, seq=message.seq, event_type=EventKind.MESSAGE_RECEIVED, payload=payload
    )
    received.seal_text()
    return received


def _lock_conversation(inbound: InboundMessage, user, now) -> Conversation:
    """The conversation to write into, locked (or opened, when there is none to continue)."""
    locked = Conversation.objects.select_for_update(no_key=True)
    if inbound.conversation_id:
        conversation = locked.filter(pk=inbound.conversation_id, user=user).first()
        if conversation is None:
            raise IngestError("not_found", gettext("No such conversation."))
        if not conversation.is_open:
            raise IngestError("conversation_closed", gettext("This conversation is closed; start a new one."))
        return conversation

    if inbound.new_conversation:
        return open_conversation(user, inbound.channel, now=now)
    current = _current(locked, user, inbound.channel)
    if _fresh(current, now):
        return current
    # Opening one: one at a time per person, so two first messages never open two conversations.
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").first()
    current = _current(locked, user, inbound.channel)
    if _fresh(current, now):
        return current
    if current:
        close_conversation(current, ended_at=current.last_message_at, reason=Conversation.CloseReason.IDLE)
    return open_conversation(user, inbound.channel, now=now)


def _current(locked, user, channel) -> Conversation | None:
    return (
        locked.filter(user=user, channel=channel)
        .exclude(status=Conversation.Status.CLOSED)
        .order_by("-last_message_at")
        .first()
    )


def _fresh(conversation: Conversation | None, now) -> bool:
    idle_since = now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS)
    return conversation is not None and conversation.last_message_at >= idle_since
