"""Step two, in a Celery worker: answer a conversation's waiting messages, one at a time, in the order they arrived.

Only one worker answers a conversation at a time: it holds the conversation's
answer lease. The intake of a message gives the lease to the task it enqueues when
the lease is free (in the same UPDATE as its counters), so that task starts holding
it; any other task claims it first (a conditional UPDATE). The holder answers every
waiting message, oldest first, and gives the lease back in the transaction that
stores its last answer. A message is answered exactly once: the answer is stored only
while `answered_seq` is still below the message's seq, under the conversation
row's lock. A worker that dies leaves its lease to expire; the redelivered task
(or the sweep) then answers the message.

An answer that fails (an error while storing it, a worker that dies on it) is tried
again, the lease given back for the retry; after ANSWER_ATTEMPTS attempts the message
gets an apology instead, the failure is recorded for the operators (an `answer_failed`
event, an error in the log), and the messages after it are answered.

While a person holds the conversation (conversations.takeover), its waiting messages
are set aside instead: counted as handled, with no agent answer, so the queue moves on
and the agents answer only what arrives after the person hands it back.
"""

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.engines import get_engine, run_engine
from agents.engines.base import EngineError, EngineReply, EngineRequest, HistoryItem
from agents.models import AIAgent
from agents.reading import one_reading
from agents.routing import route
from agents.understanding.language import detect as detect_language
from analytics.events import record
from analytics.models import EventType
from conversations import delivery, events, person_asked
from conversations.events import EventKind
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import ActionOutcome
from conversations.outbound import outbound_message
from conversations.pipeline import held
from conversations.pipeline.elsewhere import recent_elsewhere
from conversations.pipeline.feedback import decisions_since_last_answer
from conversations.pipeline.proposals import propose
from conversations.pipeline.replies import compose
from conversations.pipeline.streaming import DeltaBroadcaster
from core.metrics import ANSWER_SECONDS, observe_on_commit
from hitl import risk
from hitl.models import ApprovalStatus
from tenants.languages import language_of
from tenants.log_context import bind_tenant
from tenants.pii import redact

log = logging.getLogger(__name__)

FALLBACK_REPLY = gettext_lazy(
    "Sorry, I couldn't work that out just now. Your message is saved; please try again in a minute."
)
FAILED_REPLY = gettext_lazy(
    "Sorry, something went wrong on our side and I couldn't answer that message. The team has been told; "
    "please send it again in a little while."
)
RETRY_AFTER_SECONDS = 5  # after a failed attempt; doubled after each further one
HISTORY_TURNS = 10
# Messages read at once: the history and a few waiting after it. Each row comes with its conversation, tenant,
# person and agent, so a longer read costs the worker more than the two queries of the rare longer queue.
WINDOW = HISTORY_TURNS + 4


# Replies on these channels are read where they are stored (the socket, the API): delivered once stored.
def lease_duration() -> timedelta:
    """Longer than any engine run may take, so a live worker never loses its lease."""
    return timedelta(seconds=settings.AGENT_ENGINE_TIMEOUT * 2 + 30)


class _AttemptFailed(Exception):
    """Answering the oldest waiting message failed; the task tries again in `retry_in` seconds."""

    def __init__(self, retry_in: float):
        super().__init__(f"retry in {retry_in} s")
        self.retry_in = retry_in


def answer(conversation_id, message_id, *, lease: uuid.UUID | None = None) -> float | None:
    """Answer the conversation's waiting messages unless another worker is. Returns seconds to retry after, or None.

    A retry is asked for while `message_id` still waits and another worker holds the lease (should that worker
    have died, the retry takes over once its lease runs out), and after a failed attempt, the lease given back.
    `lease` names this run's lease (the task's id, the same on each of its retries): the lease the message's
    intake took for this task, or that a retry after a database cut, whose attempt could not give it back, takes
    again at once.
    """
    token = lease or uuid.uuid4()
    conversation = _read(conversation_id)
    if not _holds(conversation, token):  # else the message's intake took the lease for this task
        if _claim(conversation_id, token) is None:
            return _retry_delay(message_id)
        conversation = None  # the claim changed it: read again
    try:
        while _answer_next(conversation_id, token, conversation):
            conversation = None
    except _AttemptFailed as failed:
        _release(conversation_id, token)
        return failed.retry_in
    return None


def lease_with_message(conversation: Conversation, now) -> tuple[uuid.UUID, dict]:
    """The id of the answer task a new message enqueues, and the changes that give that task the lease when it is
    free (the message's intake makes them with its own, under the conversation row's lock): the task then holds
    it when it starts, and claims it only if it ran out meanwhile. A held lease is left to its worker, which
    answers the new message after its own."""
    token = uuid.uuid4()
    if conversation.answer_lease is not None and conversation.answer_lease_until >= now:
        return token, {}
    lease = {"answer_lease": token, "answer_lease_until": now + lease_duration()}
    return token, {**lease, "answer_attempts": conversation.answer_attempts + 1}  # as a claim begins an attempt


def give_back_unstarted(conversation_id, token) -> None:
    """The task `token` names never left (the broker was down): its lease, taken with the message, is given back
    with the attempt it counted, so the sweep answers the message after its grace, not after the lease."""
    Conversation.objects.filter(pk=conversation_id, answer_lease=token).update(
        answer_lease=None, answer_lease_until=None, answer_attempts=F("answer_attempts") - 1
    )


def _holds(conversation: Conversation | None, token) -> bool:
    """`token` holds the lease with time enough for an engine run left (a task that waited long in the queue
    claims it again, which extends it)."""
    enough = timezone.now() + timedelta(seconds=settings.AGENT_ENGINE_TIMEOUT * 2)
    return conversation is not None and conversation.answer_lease == token and conversation.answer_lease_until > enough


def _claim(conversation_id, token: uuid.UUID | None = None) -> uuid.UUID | None:
    """Take the lease (free, run out, or `token`'s own already); each claim begins an attempt at the oldest waiting
    message."""
    now = timezone.now()
    token = token or uuid.uuid4()
    claimed = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(answer_lease__isnull=True) | Q(answer_lease_until__lt=now) | Q(answer_lease=token))
        .update(answer_lease=token, answer_lease_until=now + lease_duration(), answer_attempts=F("answer_attempts") + 1)
    )
    return token if claimed else None


def _release(conversation_id, token, *, nothing_waits: bool = False) -> None:
    """Give the lease back. A claim that found nothing waiting (a duplicate task, the sweep's after the answer)
    began no attempt at any message: it is not counted against the next one."""
    attempts = {"answer_attempts": 0} if nothing_waits else {}
    Conversation.objects.filter(pk=conversation_id, answer_lease=token).update(
        answer_lease=None, answer_lease_until=None, **attempts
    )


def _retry_delay(message_id) -> float | None:
    row = (
        Message.objects.filter(pk=message_id)
        .values("seq", "conversation__answered_seq", "conversation__answer_lease_until")
        .first()
    )
    if row is None or row["seq"] is None or row["seq"] <= row["conversation__answered_seq"]:
        return None
    lease_until = row["conversation__answer_lease_until"]
    left = (lease_until - timezone.now()).total_seconds() if lease_until else 0
    return max(left, 0) + 1


def _read(conversation_id) -> Conversation | None:
    """With its tenant (and the tenant's risk policy, for scoring what the answer proposes), person and agent."""
    related = ("tenant", "tenant__risk_policy", "user", "agent")
    return Conversation.objects.select_related(*related).filter(pk=conversation_id).first()


def _answer_next(conversation_id, token, conversation: Conversation | None = None) -> bool:
    """Answer the oldest waiting message; True if more are waiting. `conversation`: as just read, if it was."""
    # The conversation once, then its messages alone: not joined to each of them (the person's email decrypted
    # each time).
    conversation = conversation or _read(conversation_id)
    recent = _latest_messages(conversation) if conversation is not None else []
    if conversation is not None:
        bind_tenant(conversation.tenant_id)  # a sweep's task has no request to carry it from
    if not recent:
        _release(conversation_id, token, nothing_waits=True)
        return False
    answered = conversation.answered_seq
    inbound = [m for m in recent if m.direction == Message.Direction.INBOUND and m.seq is not None]
    waiting = [m for m in inbound if m.seq > answered]
    # Inbound messages are stored in seq order: every waiting one is in this read if the read is not full
    # or reaches back to an answered one.
    if waiting and (len(recent) < WINDOW or len(waiting) < len(inbound)):
        message = min(waiting, key=lambda m: m.seq)
        history = _transcript([m for m in recent if m not in waiting])
    else:
        message, history = _oldest_waiting(conversation, answered)
    if message is None:
        _release(conversation_id, token, nothing_waits=True)
        return False
    if message.conversation.held_by_id is not None:
        return _set_aside(conversation_id, message, token)
    history = _transcript(history + recent_elsewhere(message, history, HISTORY_TURNS))  # a follow-up from elsewhere
    with speaking_as_written(message):  # the reply, its confirmations too, in the message's language
        return _attempt(message, history, token)


def _latest_messages(conversation: Conversation) -> list[Message]:
    """Its latest WINDOW messages, newest first, each with `conversation` set."""
    recent = list(Message.objects.filter(conversation_id=conversation.pk).order_by("-created_at")[:WINDOW])
    for message in recent:
        message.conversation = conversation
    return recent


def _attempt(message: Message, history: list[Message], token) -> bool:
    """Answer `message`, or apologise once ANSWER_ATTEMPTS attempts have failed; True if more wait.

    Raises _AttemptFailed when this attempt failed and another may be made.
    """
    attempts, allowed = message.conversation.answer_attempts, settings.ANSWER_ATTEMPTS
    if attempts > allowed:  # the earlier attempts ended with their workers, without an error to catch
        return _give_up(message, token, allowed, None)
    try:
        return _answer(message, history, token)
    except Exception as error:
        log.exception("Answering message %s failed (attempt %s of %s)", message.pk, attempts, allowed)
        if attempts < allowed:
            raise _AttemptFailed(RETRY_AFTER_SECONDS * 2 ** max(attempts - 1, 0)) from error
        return _give_up(message, token, attempts, error)


def _answer(message: Message, history: list[Message], token) -> bool:
    with one_reading():  # the tenant's names, read once for routing and the engine
        risk.read_with(message.conversation.tenant)
        return _answer_once(message, history, token)


def _answer_once(message: Message, history: list[Message], token) -> bool:
    started = time.monotonic()
    conversation = message.conversation
    if message.metadata.get(person_asked.ASKED):  # no engine: the answer is when a person will answer
        reply = EngineReply(text=person_asked.promise(conversation.tenant))
        return _store(conversation, message, conversation.agent, reply, None, started, token)
    if (answer := held.answered(message.text, history)) is not None:  # yes or no to replacing their own request
        yes, actions, replaced = answer
        reply = EngineReply(text="" if yes else held.kept(replaced), actions=actions)
        return _store(conversation, message, conversation.agent, reply, None, started, token, confirmed=True)
    agent = _choose_agent(conversation, message, history)
    # Shown only if the answer takes a while: a quick one would only flash it (and cost every socket a frame).
    typing_over = events.signal_unless_over(
        conversation.pk,
        events.Signal.AGENT_TYPING,
        settings.AGENT_TYPING_AFTER_SECONDS,
        on=True,
        agent=agent.agent_type if agent else None,
    )
    try:
        reply, error = _run_engine(conversation, message, agent, history)
    finally:
        typing_over()
    requested = message.metadata.get("requested_agent")
    if agent is not None and requested and agent.agent_type != requested:
        passed = _("That's one for the %(agent)s agent, so I passed it on.") % {"agent": agent.get_agent_type_display()}
        reply.text = f"{passed}\n\n{reply.text}"
    return _store(conversation, message, agent, reply, error, started, token)


def _oldest_waiting(conversation: Conversation, answered: int) -> tuple[Message | None, list[Message]]:
    """More messages wait than one read holds: the oldest of them, and its own history."""
    conversation_id = conversation.pk
    message = (
        Message.objects.filter(conversation_id=conversation_id, direction=Message.Direction.INBOUND, seq__gt=answered)
        .order_by("seq")
        .first()
    )
    if message is None:
        return None, []
    message.conversation = conversation
    # The latest turns before it in the conversation's order: an answer counts where its message came, as
    # answers to a long queue are stored after many later messages.
    earlier = (
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(direction=Message.Direction.INBOUND, seq__gte=message.seq)
        .annotate(turn=Coalesce("in_reply_to__seq", "seq"))
        .order_by(F("turn").desc(nulls_last=True), "-created_at")
    )
    return message, _transcript(list(earlier[:HISTORY_TURNS]))


def _transcript(messages: list[Message]) -> list[Message]:
    """The last turns, oldest first, each answer right after the message it answers (it may have been
    stored after later messages arrived). An answer whose message is not among them is left out: after a
    long queue it would otherwise stand, out of place, as the latest turn."""
    asked_at = {m.pk: m.created_at for m in messages}
    turns = [m for m in messages if m.in_reply_to_id is None or m.in_reply_to_id in asked_at]

    def place(m):
        return (asked_at.get(m.in_reply_to_id, m.created_at), m.in_reply_to_id is not None, m.created_at)

    return sorted(turns, key=place)[-HISTORY_TURNS:]


def speaking_as_written(message: Message):
    """`with speaking_as_written(message):` writes in the message's language (English or Spanish, from its
    words), else in its sender's."""
    return translation.override(detect_language(message.text) or language_of(message.conversation.user))


def _choose_agent(conversation: Conversation, message: Message, history: list[Message]):
    current = conversation.agent.agent_type if conversation.agent_id else None
    agent_type = route(
        message.text,
        requested=message.metadata.get("requested_agent"),
        current=current,
        tenant=conversation.tenant,
        history=_turns(history),
    )
    return AIAgent.objects.serving(conversation.tenant, agent_type)


def _turns(history: list[Message]) -> tuple[HistoryItem, ...]:
    """The turns the agents took part in. A takeover's are left out (the person's replies, and the messages set
    aside for them, which no agent answered), so a follow-up after it continues from the agent's last turn."""
    human = Message.SenderType.HUMAN
    answered = {
        m.in_reply_to_id for m in history if m.direction == Message.Direction.OUTBOUND and m.sender_type != human
    }
    return tuple(
        HistoryItem("user", m.text) if m.direction == Message.Direction.INBOUND else HistoryItem("assistant", m.text)
        for m in history
        if (m.pk in answered if m.direction == Message.Direction.INBOUND else m.sender_type != human)
    )


def draft(message: Message) -> tuple[EngineReply | None, str | None]:
    """What the agent would answer to `message` now, for a person to send or edit: no frames reach the
    customer, no proposal is filed, nothing is stored. Returns the reply and the agent type.

    The reply is None when the agent has no answer worth sending: it is switched off, the engine failed, or
    the engine did not understand (its fallback text and FALLBACK_REPLY are for the customer, not a suggestion).
    """
    conversation = message.conversation
    earlier = Message.objects.filter(conversation=conversation, created_at__lt=message.created_at)
    history = _transcript(list(earlier.order_by("-created_at")[:HISTORY_TURNS]))
    with one_reading():
        agent = _choose_agent(conversation, message, history)
        if agent is None:
            return None, None
        with speaking_as_written(message):  # the customer's language, as the agent would answer
            reply, error = _run_engine(conversation, message, agent, history, live=False, may_write=False)
    if error is not None or not reply.understood or not reply.text.strip():
        return None, agent.agent_type
    return reply, agent.agent_type


def _run_engine(
    conversation, message, agent, history, *, live=True, may_write=True
) -> tuple[EngineReply, Exception | None]:
    """`live`: the answer's pieces are broadcast to the conversation's sockets as they are written. `may_write`:
    the engine may store what it was asked to write (a draft); not for a suggestion."""
    if agent is None:
        return EngineReply(text=_("That agent is switched off for your account.")), None
    stream = DeltaBroadcaster(conversation.pk, message.pk, agent.agent_type) if live else None
    request = EngineRequest(
        tenant=conversation.tenant,
        user=conversation.user,
        agent=agent,
        conversation_id=str(conversation.pk),
        text=message.text,
        history=_turns(history),
        decisions=decisions_since_last_answer(conversation, history),
        on_delta=stream,
        may_write=may_write,
    )
    try:
        return run_engine(get_engine(conversation.tenant, agent), request), None
    except Exception as exc:  # any engine failure: the user gets a polite reply, the error is recorded
        log.exception("Engine failed on message %s", message.pk)
        told = exc.reply if isinstance(exc, EngineError) else None  # the engine's own word on what failed
        return EngineReply(text=told or str(FALLBACK_REPLY)), exc
    finally:
        if stream is not None:
            stream.flush()


def _lease_changes(state: dict, token, more: bool, now) -> dict:
    """The lease is kept (and extended) while messages wait, its holder's attempt at the next begun; else given back."""
    if state["answer_lease"] != token:
        return {}
    return {
        "answer_lease": token if more else None,
        "answer_lease_until": now + lease_duration() if more else None,
        "answer_attempts": 1 if more else 0,
    }


@transaction.atomic
def _set_aside(conversation_id, message, token) -> bool:
    """A person holds the conversation: `message` stays stored for them and counts as handled. True if more wait."""
    state = (
        Conversation.objects.select_for_update(no_key=True)
        .filter(pk=conversation_id)
        .values("answered_seq", "last_inbound_seq", "answer_lease", "held_by")
        .get()
    )
    if state["held_by"] is None:
        return True  # handed back meanwhile: the next round answers it
    return _handled_by_person(conversation_id, message, state, token)


def _handled_by_person(conversation_id, message, state: dict, token) -> bool:
    """Under the row lock: mark `message` answered without an agent answer."""
    more = state["last_inbound_seq"] > message.seq
    changes = _lease_changes(state, token, more, timezone.now())
    if state["answered_seq"] < message.seq:
        changes["answered_seq"] = message.seq
    if changes:
        Conversation.objects.filter(pk=conversation_id).update(**changes)
    return more


def _locked_state(conversation_id) -> dict:
    return (
        Conversation.objects.select_for_update(no_key=True)
        .filter(pk=conversation_id)
        .values("event_seq", "answered_seq", "last_inbound_seq", "answer_lease", "status", "held_by", "last_message_at")
        .get()
    )


def _answered_at(state: dict):
    """Now, under the row lock; never before the conversation's latest message (another host's clock)."""
    return max(timezone.now(), state["last_message_at"])


def _settled(conversation, message, agent, state: dict, token) -> bool | None:
    """Under the row lock: None if `message` is still this worker's to answer, else whether more wait."""
    more = state["last_inbound_seq"] > message.seq
    if state["answered_seq"] >= message.seq:  # answered by a worker that took over an expired lease
        if not more:
            _release(conversation.pk, token)
        return more
    if state["held_by"] is not None:  # a person took it over while the engine ran: theirs to answer
        stopped = agent.agent_type if agent else None
        transaction.on_commit(
            lambda: events.signal(conversation.pk, events.Signal.AGENT_TYPING, on=False, agent=stopped)
        )
        return _handled_by_person(conversation.pk, message, state, token)
    return None


@transaction.atomic
def _store(conversation, message, agent, reply: EngineReply, error, started, token, *, confirmed=False) -> bool:
    """Store the answer, its event and its approvals in one transaction; True if more messages wait.
    `confirmed`: the person said yes to replacing their own waiting request (conversations.pipeline.held)."""
    state = _locked_state(conversation.pk)
    settled = _settled(conversation, message, agent, state, token)
    if settled is not None:
        return settled
    more = state["last_inbound_seq"] > message.seq
    tenant, user = conversation.tenant, conversation.user
    if error is not None:
        record(
            EventType.ENGINE_ERROR,
            tenant=tenant,
            user=user,
            conversation_id=conversation.pk,
            subject_id=message.pk,
            engine=settings.AGENT_ENGINE,
            error=_described(error),
        )
    seq, now = state["event_seq"] + 1, _answered_at(state)
    changes = {"answered_seq": message.seq, "last_message_at": now}
    outcomes, kept_back = [], None if confirmed or held.replacing(message.text) else []
    if agent is not None and reply.actions:
        # The answer takes its number first: an automatic rule decides a proposal inside propose(), and that
        # outcome's events (and message) are numbered and dated in this transaction, after the answer proposing it.
        Conversation.objects.filter(pk=conversation.pk).update(event_seq=seq)
        outcomes = propose(reply.actions, conversation=conversation, message=message, agent=agent, held=kept_back)
    else:
        changes["event_seq"] = seq
    text = "\n\n".join(part for part in (compose(reply.text, outcomes), held.question(kept_back)) if part)
    outbound = _outbound_message(conversation, message, agent, text, outcomes, error, now, seq)
    if kept_back:
        outbound.metadata[held.HELD_KEY] = held.stored(kept_back)
    # The engine's time, for the event log's `agent_responded` entry (reports.message_events writes it later).
    outbound.metadata["response_ms"] = _milliseconds_since(started)
    outbound.save(force_insert=True)
    if agent is not None:
        changes["agent"] = agent
    if state["status"] == Conversation.Status.OPEN and any(o.status == ApprovalStatus.PENDING for o in outcomes):
        changes["status"] = Conversation.Status.WAITING_APPROVAL
    changes.update(_lease_changes(state, token, more, now))
    Conversation.objects.filter(pk=conversation.pk).update(**changes)

    response = _response_event(outbound, message, agent, outcomes)
    response.save(force_insert=True)  # the consoles read it too: the inbox's preview and age move with the answer
    events.broadcast_after_commit(response)
    observe_on_commit(ANSWER_SECONDS, (now - message.created_at).total_seconds(), channel=conversation.channel)
    delivery.deliver_after_commit(outbound)  # the answer itself ends the typing indicator (docs/chat-protocol.md)
    return more


@transaction.atomic
def _give_up(message: Message, token, attempts: int, error: Exception | None) -> bool:
    """`attempts` attempts at answering `message` failed: it gets an apology instead, the operators are told (an
    `answer_failed` event, counted on the dashboard, and an error in the log), and the queue moves on. True if more
    messages wait."""
    conversation = message.conversation
    state = _locked_state(conversation.pk)
    settled = _settled(conversation, message, None, state, token)
    if settled is not None:
        return settled
    more = state["last_inbound_seq"] > message.seq
    seq, now = state["event_seq"] + 1, _answered_at(state)
    outbound = _outbound_message(conversation, message, None, str(FAILED_REPLY), [], error, now, seq)
    outbound.save(force_insert=True)
    changes = {"event_seq": seq, "answered_seq": message.seq, "last_message_at": now}
    Conversation.objects.filter(pk=conversation.pk).update(**changes, **_lease_changes(state, token, more, now))
    response = _response_event(outbound, message, None, [])
    response.save(force_insert=True)
    events.broadcast_after_commit(response)
    cause = _described(error) if error is not None else "the workers stopped during every attempt"
    record(
        EventType.ANSWER_FAILED,
        tenant=conversation.tenant,
        user=conversation.user,
        conversation_id=conversation.pk,
        subject_id=message.pk,
        attempts=attempts,
        error=cause,
    )
    transaction.on_commit(
        lambda: log.error(
            "Answering message %s of conversation %s gave up after %s failed attempts (%s): it got an apology",
            message.pk,
            conversation.pk,
            attempts,
            cause,
        )
    )
    delivery.deliver_after_commit(outbound)
    return more


def _outbound_message(conversation, message: Message, agent, text: str, outcomes, error, now, seq: int) -> Message:
    return outbound_message(
        conversation,
        sender_type=Message.SenderType.AGENT,
        text=text,
        metadata={
            "agent_type": agent.agent_type if agent else None,
            "agent": agent.name if agent else None,
            "actions": [o.as_dict() for o in outcomes],
            "engine_error": error is not None,
        },
        seq=seq,
        created_at=now,
        in_reply_to_id=message.pk,
    )


def _response_event(outbound: Message, message: Message, agent, outcomes: list[ActionOutcome]) -> ConversationEvent:
    """Its `agent_response` event (the text sealed as the message's is)."""
    payload = {
        "message_id": str(outbound.pk),
        "in_reply_to": str(message.pk),
        "text": outbound.text,
        "agent": agent.agent_type if agent else None,
        "actions": [o.as_dict() for o in outcomes],
    }
    if message.metadata.get(person_asked.ASKED):  # the promise: the chat shows the wait until a person is there
        payload["waiting_for_person"] = True
    response = ConversationEvent(
        conversation_id=outbound.conversation_id,
        seq=outbound.seq,
        event_type=EventKind.AGENT_RESPONSE,
        payload=payload,
    )
    response.seal_text()
    return response


def _described(error: Exception) -> str:
    """An error as recorded: its type and words, personal data redacted."""
    return redact(f"{type(error).__name__}: {error}")[:500]


def _milliseconds_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
