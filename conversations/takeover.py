"""Human takeover: a person of the tenant takes a conversation from the agents, answers as themselves, keeps
internal notes, hands it to a colleague, resolves it or gives it back. The API, the admin and the console all
call these functions; `conversations.access` decides who may (`Need.HANDLE`).

Every step holds the conversation row (`FOR NO KEY UPDATE`, as the pipeline does), so two people taking over
at once leave exactly one holder. Each step writes a platform event (the audit trail, with the acting person)
and a live console notice; the steps the customer should know of (someone joined, a reply, the agents are
back) are also numbered conversation events, which reach the chat widget and the events API. Notes are
none of those: they are never sent, never an event of the conversation, and shown only in the console.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from analytics.events import record
from analytics.models import EventType
from conversations import console, delivery, events, person_asked, satisfaction
from conversations.access import get_conversation_for_user, may_handle, may_take_from
from conversations.console import Step
from conversations.delivery import display_name  # also how the console and the API name people
from conversations.models import Conversation, ConversationNote, Message
from conversations.outbound import outbound_message
from conversations.pipeline.answering import draft
from conversations.services import close_conversation
from tenants.access import AccessDenied, Need
from tenants.models import User


class TakeoverError(AccessDenied):
    """A step that cannot be taken; nothing changed. Codes beyond `not_found`/`forbidden`: `held_by_other`,
    `not_held`, `closed` (the state does not allow it: 409); `empty`, `too_long`, `ineligible_assignee`,
    `nothing_to_answer` (bad input: 400); core.errors maps them."""


def _lock(actor, conversation_id) -> Conversation:
    return get_conversation_for_user(actor, conversation_id, Need.HANDLE, for_update=True)


def _open(conversation: Conversation) -> None:
    if not conversation.is_open:
        raise TakeoverError("closed", "This conversation is closed.")


def _may_take_from(actor, conversation: Conversation) -> None:
    """Someone else's hold is theirs to end or pass on, or an admin's (conversations.access.may_take_from)."""
    if not may_take_from(actor, conversation):
        raise TakeoverError(
            "forbidden",
            f"{display_name(conversation.held_by)} holds this conversation: "
            "only they or an admin may hand it back, pass it on or resolve it.",
        )


def _checked_text(text) -> str:
    text = (text or "").strip()
    if not text:
        raise TakeoverError("empty", "The text is empty.")
    if len(text) > settings.INBOUND_MAX_CHARS:
        raise TakeoverError(
            "too_long", f"Texts are limited to {settings.INBOUND_MAX_CHARS:,} characters; this one has {len(text):,}."
        )
    return text


def _publish(conversation: Conversation, kind: events.EventKind, **payload) -> int:
    """A numbered event of the conversation, whose row the caller read under its lock; returns its seq."""
    seq = conversation.event_seq + 1
    Conversation.objects.filter(pk=conversation.pk).update(event_seq=seq)
    conversation.event_seq = seq
    events.append(conversation.pk, seq, kind, **payload)
    return seq


def _audit(event_type, conversation: Conversation, actor, step: Step, subject_id=None, **metadata) -> None:
    record(event_type, tenant=conversation.tenant_id, user=actor, conversation_id=conversation.pk,
           subject_id=subject_id, **metadata)  # fmt: skip
    console.notify(conversation, step, actor=actor)


def _hold(conversation: Conversation, holder) -> None:
    conversation.held_by, conversation.held_since = holder, timezone.now() if holder else None
    conversation.save(update_fields=["held_by", "held_since"])


def _person(user_or_id) -> User | None:
    if isinstance(user_or_id, User):
        return user_or_id
    try:
        return User.objects.filter(pk=user_or_id).first()
    except (ValueError, ValidationError):  # not an id at all (a form's free text)
        return None


@transaction.atomic
def assign(conversation_id, *, actor, to=None) -> Conversation:
    """Take the conversation over (`to` None or the actor) or hand it to a colleague who may handle it.

    Taking over a conversation a colleague holds is refused (`held_by_other`): handing it on is an explicit
    assignment, so two people clicking "Take over" at once leave one holder and tell the other. Handing on
    a hold someone has is theirs or an admin's to do (`forbidden` otherwise).
    """
    conversation = _lock(actor, conversation_id)
    _open(conversation)
    assignee = actor if to is None else _person(to)
    if assignee is None or not may_handle(assignee, conversation):
        raise TakeoverError("ineligible_assignee", "That person may not handle this tenant's conversations.")
    if conversation.held_by_id == assignee.pk:
        return conversation  # already theirs: nothing changes, nothing is announced twice
    taking_over = assignee.pk == actor.pk
    if taking_over and conversation.held_by_id is not None:
        raise TakeoverError("held_by_other", f"{display_name(conversation.held_by)} holds this conversation already.")
    _may_take_from(actor, conversation)
    previous = conversation.held_by_id
    _hold(conversation, assignee)
    _publish(conversation, events.EventKind.HUMAN_JOINED, name=display_name(assignee))
    if taking_over:
        _audit(EventType.TAKEN_OVER, conversation, actor, Step.TAKEN_OVER)
    else:
        _audit(EventType.ASSIGNED, conversation, actor, Step.ASSIGNED, assignee=str(assignee.pk),
               previous=str(previous) if previous else None, to_name=display_name(assignee))  # fmt: skip
    return conversation


@transaction.atomic
def reply(conversation_id, *, actor, text: str) -> Message:
    """Answer as oneself on the conversation's channel. Only the holder replies (`not_held` otherwise): a reply
    never takes a conversation over implicitly, so a person never answers beside the agents by mistake.

    The message goes through the channel's registered sender, with its rules: a WhatsApp reply outside the
    24-hour window is stored as blocked, as an agent's would be, and that is known on return (`status` BLOCKED,
    `error` the reason); otherwise it is queued (PENDING) or, on chat and the API, delivered.

    On the channels that show no sender the reply says who answers: the metadata names the author and their
    company, and `introduce` marks the first reply of this hold, which WhatsApp starts with "Dana Reyes (Acme
    Outdoor) here:" (conversations.delivery); every emailed reply comes from and is signed with that name.
    """
    text = _checked_text(text)
    conversation = _lock(actor, conversation_id)
    _open(conversation)
    if conversation.held_by_id != actor.pk:
        raise TakeoverError("not_held", "Take the conversation over before replying.")
    now = timezone.now()
    name = display_name(actor)
    earlier = Message.objects.filter(conversation=conversation, sender_type=Message.SenderType.HUMAN)
    if conversation.held_since is not None:
        earlier = earlier.filter(created_at__gte=conversation.held_since)
    message = outbound_message(
        conversation,
        sender_type=Message.SenderType.HUMAN,
        text=text,
        metadata={
            "author_id": str(actor.pk),
            "author": name,
            "company": conversation.tenant.name,
            "introduce": not earlier.exists(),  # the first reply since they took it: the customer learns who answers
        },
        seq=conversation.event_seq + 1,
        created_at=now,
    )
    message.save(force_insert=True)
    _publish(conversation, events.EventKind.HUMAN_REPLY, message_id=str(message.pk), text=text, name=name)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    delivery.hand_over(message)  # a send the channel's rules forbid now is recorded as blocked on `message`
    person_asked.end_ask(conversation.pk)  # a person answered: a customer who asked for one has one
    _audit(EventType.HUMAN_REPLIED, conversation, actor, Step.REPLIED, subject_id=message.pk, channel=message.channel)
    return message


@transaction.atomic
def add_note(conversation_id, *, actor, text: str) -> ConversationNote:
    """An internal note: stored sealed like messages, never sent and never an event the customer could read."""
    text = _checked_text(text)
    conversation = _lock(actor, conversation_id)
    note = ConversationNote.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, author=actor, text=text
    )
    _audit(EventType.NOTE_ADDED, conversation, actor, Step.NOTED, subject_id=note.pk)
    return note


@transaction.atomic
def release(conversation_id, *, actor) -> Conversation:
    """Hand the conversation back to the agents: they answer what comes in from now on. Only its holder or an
    admin of the tenant may (`forbidden` otherwise)."""
    conversation = _lock(actor, conversation_id)
    if conversation.held_by_id is None:
        raise TakeoverError("not_held", "No person holds this conversation.")
    _may_take_from(actor, conversation)
    _let_go(conversation, reason=Step.RELEASED)
    _audit(EventType.RELEASED, conversation, actor, Step.RELEASED)
    return conversation


@transaction.atomic
def resolve(conversation_id, *, actor) -> Conversation:
    """Close the conversation as resolved (the customer's next message opens a new one, for the agents), tell its
    person in the thread (`human_left`, reason `resolved`) and ask them for a rating (conversations.satisfaction).
    One that someone holds is theirs or an admin's to resolve (`forbidden` otherwise)."""
    conversation = _lock(actor, conversation_id)
    _open(conversation)
    if conversation.held_by_id is not None:
        _may_take_from(actor, conversation)
        _let_go(conversation, reason=Step.RESOLVED)
    else:  # nobody held it: the person is told all the same, in the thread, who resolved it
        _publish(conversation, events.EventKind.HUMAN_LEFT, name=display_name(actor), reason=Step.RESOLVED)
    close_conversation(conversation, ended_at=timezone.now(), reason=Conversation.CloseReason.RESOLVED)
    _audit(EventType.RESOLVED, conversation, actor, Step.RESOLVED)
    satisfaction.ask(conversation)  # after the audit: the metrics read who resolved it from that event
    return conversation


def _let_go(conversation: Conversation, *, reason: Step) -> None:
    name = display_name(conversation.held_by)
    _hold(conversation, None)
    _publish(conversation, events.EventKind.HUMAN_LEFT, name=name, reason=reason)


NO_SUGGESTION = gettext_lazy(
    "No suggestion for this message: the agent could not work out an answer. Write your own reply."
)


@dataclass(frozen=True)
class Suggestion:
    text: str | None  # None: the agent has no answer worth sending (NO_SUGGESTION says so)
    agent: str | None
    in_reply_to: Message
    would_propose: list[str]  # summaries of actions the agent would have proposed (a person's reply files none)


def suggest(conversation_id, *, actor) -> Suggestion:
    """What the agent would answer to the latest customer message: the engine runs, nothing is stored or sent."""
    conversation = get_conversation_for_user(actor, conversation_id, Need.HANDLE)
    latest = (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .select_related("conversation__tenant", "conversation__user", "conversation__agent")
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        raise TakeoverError("nothing_to_answer", "The customer has not written anything yet.")
    reply, agent = draft(latest)
    if reply is None:
        return Suggestion(None, agent, latest, [])
    return Suggestion(reply.text, agent, latest, [action.summary for action in reply.actions])
