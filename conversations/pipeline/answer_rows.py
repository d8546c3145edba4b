"""The rows an answer adds, built alike by both ways the worker stores one (answering, answer_statement).

Each builder returns an unsaved instance; `stored` is what the conversation gives the row
(its event's number), where the caller knows it.
"""

from analytics.events import event
from analytics.models import EventType, PlatformEvent
from conversations import delivery
from conversations.events import EventKind
from conversations.models import Conversation, ConversationEvent, Message
from conversations.normalized import ActionOutcome


def outbound_message(conversation: Conversation, message: Message, agent, text: str, outcomes, error, now, **stored):
    return Message(
        tenant_id=conversation.tenant_id,
        conversation_id=conversation.pk,
        channel=conversation.channel,
        direction=Message.Direction.OUTBOUND,
        sender_type=Message.SenderType.AGENT,
        text=text,
        in_reply_to_id=message.pk,
        status=Message.Status.DELIVERED if conversation.channel in delivery.READ_FROM_STORE else Message.Status.PENDING,
        metadata={
            "agent_type": agent.agent_type if agent else None,
            "agent": agent.name if agent else None,
            "actions": [o.as_dict() for o in outcomes],
            "engine_error": error is not None,
        },
        created_at=now,
        **stored,
    )


def response_event(outbound: Message, message: Message, agent, outcomes: list[ActionOutcome], **stored):
    """Its `agent_response` event (the text sealed as the message's is)."""
    payload = {
        "message_id": str(outbound.pk),
        "in_reply_to": str(message.pk),
        "text": outbound.text,
        "agent": agent.agent_type if agent else None,
        "actions": [o.as_dict() for o in outcomes],
    }
    response = ConversationEvent(
        conversation_id=outbound.conversation_id, event_type=EventKind.AGENT_RESPONSE, payload=payload, **stored
    )
    response.seal_text()
    return response


def responded_record(conversation: Conversation, outbound: Message, agent, outcomes, response_ms: int) -> PlatformEvent:
    """Its platform event, for analytics."""
    return event(
        EventType.AGENT_RESPONDED,
        tenant=conversation.tenant_id,
        user=conversation.user,
        conversation_id=conversation.pk,
        subject_id=outbound.pk,
        agent_type=agent.agent_type if agent else None,
        response_ms=response_ms,
        proposed=sum(o.status != "refused" for o in outcomes),
        refused=sum(o.status == "refused" for o in outcomes),
    )
