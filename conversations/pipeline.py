"""One code path for every channel: a normalised inbound message in, the agent's reply out.

Steps, each atomic on its own so that a failure later never loses what came
before: (1) check, dedupe, identify, find or open the conversation and store
the inbound message; (2) route and run the engine, outside any transaction
because it may be slow or fail; (3) pass proposed actions through the tool
gateway to HITL and store the reply, with the conversation row locked.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.engines import get_engine
from agents.engines.base import EngineReply, EngineRequest, HistoryItem
from agents.gateway import review
from agents.models import AgentType, AIAgent
from agents.routing import route
from analytics.events import record
from analytics.models import EventType
from conversations.identity import identify_sender
from conversations.models import Channel, Conversation, Message
from conversations.normalized import ActionOutcome, InboundMessage, IngestError, IngestResult
from conversations.services import close_conversation, open_conversation, with_current_status
from hitl.models import ApprovalStatus
from hitl.services import request_approval
from tenants.pii import redact

log = logging.getLogger(__name__)

FALLBACK_REPLY = "Sorry, I couldn't work that out just now. Your message is saved; please try again in a minute."
HISTORY_TURNS = 10


def ingest(inbound: InboundMessage, *, on_accepted=None) -> IngestResult:
    """Take one inbound message through the pipeline and return the reply for the channel to deliver.

    `on_accepted(conversation, message, agent)` runs once the message is stored and routed, before
    the engine: a real-time channel acknowledges the message and shows the agent typing.
    """
    _check(inbound)
    first = _first_delivery(inbound)
    if first is not None:
        return _result_for(first, duplicate=True)
    user = identify_sender(inbound)
    try:
        conversation, message = _store_inbound(inbound, user)
    except IntegrityError:  # the same delivery arrived twice at once and the other copy won
        first = _first_delivery(inbound)
        if first is None:
            raise
        return _result_for(first, duplicate=True)

    started = time.monotonic()
    agent = _choose_agent(conversation, inbound)
    if on_accepted is not None:
        on_accepted(conversation, message, agent)
    reply, error = _run_engine(conversation, message, agent, user)
    return _answer(conversation, message, agent, user, reply, error, started)


# --- step 1 -----------------------------------------------------------------------------


def _check(inbound: InboundMessage) -> None:
    if inbound.channel not in Channel.values:
        raise IngestError("unknown_channel", f"Unknown channel {inbound.channel!r}.")
    if inbound.agent_type and inbound.agent_type not in AgentType.values:
        raise IngestError(
            "unknown_agent", f"Unknown agent {inbound.agent_type!r}; choose one of {', '.join(AgentType.values)}."
        )
    text = (inbound.text or "").strip()
    if not text and not inbound.media_url:
        raise IngestError("empty", "The message is empty.")
    if len(text) > settings.INBOUND_MAX_CHARS:
        raise IngestError(
            "too_long",
            f"Messages are limited to {settings.INBOUND_MAX_CHARS:,} characters; this one has {len(text):,}.",
        )


def _first_delivery(inbound: InboundMessage) -> Message | None:
    if not inbound.channel_message_id:
        return None
    return (
        Message.objects.filter(
            channel=inbound.channel, channel_message_id=inbound.channel_message_id, direction=Message.Direction.INBOUND
        )
        .select_related("conversation")
        .first()
    )


@transaction.atomic
def _store_inbound(inbound: InboundMessage, user) -> tuple[Conversation, Message]:
    type(user).objects.select_for_update().filter(pk=user.pk).first()  # one sender, one conversation opened at a time
    now = timezone.now()
    conversation = _find_or_open(inbound, user, now)
    message = Message.objects.create(
        tenant_id=conversation.tenant_id,
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.INBOUND,
        sender_type=Message.SenderType.CUSTOMER,
        content_type=inbound.content_type,
        text=inbound.text.strip(),
        media_url=inbound.media_url,
        channel_message_id=inbound.channel_message_id,
        status=Message.Status.DELIVERED,
        metadata=inbound.metadata,
        created_at=now,
    )
    conversation.last_message_at = now
    conversation.save(update_fields=["last_message_at"])
    record(
        EventType.MESSAGE_RECEIVED,
        tenant=user.tenant,
        user=user,
        conversation_id=conversation.pk,
        subject_id=message.pk,
        channel=conversation.channel,
    )
    return conversation, message


def _find_or_open(inbound: InboundMessage, user, now) -> Conversation:
    if inbound.conversation_id:
        conversation = Conversation.objects.filter(pk=inbound.conversation_id, user=user).first()
        if conversation is None:
            raise IngestError("not_found", "No such conversation.")
        if not conversation.is_open:
            raise IngestError("conversation_closed", "This conversation is closed; start a new one.")
        return conversation

    current = (
        Conversation.objects.filter(user=user, channel=inbound.channel)
        .exclude(status=Conversation.Status.CLOSED)
        .order_by("-last_message_at")
        .first()
    )
    idle_since = now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS)
    if current and current.last_message_at >= idle_since:
        return current
    if current:
        close_conversation(current, ended_at=current.last_message_at, reason="idle")
    return open_conversation(user, inbound.channel, now=now)


# --- step 2 -----------------------------------------------------------------------------


def _choose_agent(conversation: Conversation, inbound: InboundMessage) -> AIAgent | None:
    current = conversation.agent.agent_type if conversation.agent_id else None
    agent_type = route(inbound.text, requested=inbound.agent_type, current=current)
    return AIAgent.objects.resolve(conversation.tenant, agent_type)


def _history(conversation: Conversation, message: Message) -> tuple[HistoryItem, ...]:
    earlier = conversation.messages.exclude(pk=message.pk).order_by("-created_at")[:HISTORY_TURNS]
    return tuple(
        HistoryItem("user" if m.direction == Message.Direction.INBOUND else "assistant", m.text)
        for m in reversed(earlier)
    )


def _run_engine(conversation, message, agent, user) -> tuple[EngineReply, Exception | None]:
    if agent is None:
        return EngineReply(text="That agent is switched off for your account."), None
    request = EngineRequest(
        tenant=conversation.tenant,
        user=user,
        agent=agent,
        conversation_id=str(conversation.pk),
        text=message.text,
        history=_history(conversation, message),
    )
    try:
        return get_engine().run(request), None
    except Exception as exc:  # any engine failure: the user gets a polite reply, the error is recorded
        log.exception("Engine failed on message %s", message.pk)
        return EngineReply(text=FALLBACK_REPLY), exc


# --- step 3 -----------------------------------------------------------------------------


@transaction.atomic
def _answer(conversation, message, agent, user, reply: EngineReply, error, started) -> IngestResult:
    conversation = Conversation.objects.select_for_update().select_related("tenant").get(pk=conversation.pk)
    tenant = conversation.tenant
    if error is not None:
        record(
            EventType.ENGINE_ERROR,
            tenant=tenant,
            user=user,
            conversation_id=conversation.pk,
            subject_id=message.pk,
            engine=settings.AGENT_ENGINE,
            error=redact(f"{type(error).__name__}: {error}")[:500],
        )

    outcomes = []
    if agent is not None and reply.actions:
        verdict = review(reply.actions, tenant=tenant, agent=agent, user=user, conversation_id=conversation.pk)
        for action in verdict.accepted:
            approval = request_approval(
                tenant=tenant,
                agent=agent,
                action=action,
                requested_by=user,
                conversation=conversation,
                source_message=message,
            )
            outcomes.append(
                ActionOutcome(
                    action.summary, approval.status, approval_id=str(approval.pk), reference=approval.reference
                )
            )
        for refusal in verdict.refused:
            outcomes.append(ActionOutcome(refusal.action.summary, "refused", reason=refusal.reason))
            record(
                EventType.ACTION_REFUSED,
                tenant=tenant,
                user=user,
                conversation_id=conversation.pk,
                action_type=refusal.action.action_type,
                reason=refusal.reason,
            )

    outbound = Message.objects.create(
        tenant=tenant,
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.OUTBOUND,
        sender_type=Message.SenderType.AGENT,
        text=_compose(reply.text, outcomes),
        in_reply_to=message,
        metadata={
            "agent_type": agent.agent_type if agent else None,
            "agent": agent.name if agent else None,
            "actions": [o.as_dict() for o in outcomes],
            "engine_error": error is not None,
        },
    )
    conversation.agent = agent or conversation.agent
    conversation.last_message_at = outbound.created_at
    if any(o.status == ApprovalStatus.PENDING for o in outcomes):
        conversation.status = Conversation.Status.WAITING_APPROVAL
    conversation.save(update_fields=["agent", "last_message_at", "status"])
    record(
        EventType.AGENT_RESPONDED,
        tenant=tenant,
        user=user,
        conversation_id=conversation.pk,
        subject_id=outbound.pk,
        agent_type=agent.agent_type if agent else None,
        response_ms=round((time.monotonic() - started) * 1000),
        proposed=sum(o.status != "refused" for o in outcomes),
        refused=sum(o.status == "refused" for o in outcomes),
    )
    return IngestResult(conversation, message, outbound, outcomes)


def _compose(text: str, outcomes: list[ActionOutcome]) -> str:
    lines = [text.strip()]
    for outcome in outcomes:
        # The engine's text often states the summary already ("Proposed: …"): then the line only adds the reference.
        what = "" if outcome.summary in text else f": {outcome.summary}"
        if outcome.status == "refused":
            lines.append(f"I can't propose “{outcome.summary}”: {outcome.reason}.")
        elif outcome.status == ApprovalStatus.PENDING:
            lines.append(f"Waiting for approval ({outcome.reference}){what}.")
        elif outcome.status == ApprovalStatus.REJECTED:
            lines.append(f"Rejected by your approval rules ({outcome.reference}){what}.")
        else:
            lines.append(f"Approved by your approval rules ({outcome.reference}){what}.")
    return "\n\n".join(line for line in lines if line)


def _result_for(inbound: Message, *, duplicate: bool) -> IngestResult:
    """What the first delivery of `inbound` produced, with approval statuses as they stand now."""
    reply = inbound.replies.filter(direction=Message.Direction.OUTBOUND).order_by("created_at").first()
    stored = reply.metadata.get("actions", []) if reply else []
    actions = [ActionOutcome(**a) for a in with_current_status(stored)]
    return IngestResult(inbound.conversation, inbound, reply, actions, duplicate=duplicate)
