"""The rows one inbound message adds, built alike by both ways intake stores them (intake, continuing).

Each builder returns an unsaved instance; `stored` is what the conversation gives the row
(the conversation, its tenant, the event's number, the time), where the caller knows it.
"""

from analytics.events import event
from analytics.models import EventType, PlatformEvent
from conversations.events import EventKind
from conversations.models import ConversationEvent, Message
from conversations.normalized import InboundMessage


def inbound_message(inbound: InboundMessage, **stored) -> Message:
    return Message(
        direction=Message.Direction.INBOUND,
        sender_type=Message.SenderType.CUSTOMER,
        content_type=inbound.content_type,
        text=inbound.text.strip(),
        media_url=inbound.media_url,
        channel_message_id=inbound.channel_message_id,
        status=Message.Status.DELIVERED,
        metadata={**inbound.metadata, **({"requested_agent": inbound.agent_type} if inbound.agent_type else {})},
        **stored,
    )


def received_event(message: Message, inbound: InboundMessage, **stored) -> ConversationEvent:
    """Its `message_received` event (the text sealed as the message's is)."""
    payload = {
        "id": str(message.pk),
        "client_msg_id": inbound.client_msg_id,
        "text": inbound.text.strip(),
        "sender_type": message.sender_type,
    }
    received = ConversationEvent(event_type=EventKind.MESSAGE_RECEIVED, payload=payload, **stored)
    received.seal_text()
    return received


def received_record(message: Message, user, channel: str | None, **stored) -> PlatformEvent:
    """Its platform event, for analytics: `channel` is the conversation's (continuing computes it in SQL)."""
    return event(
        EventType.MESSAGE_RECEIVED, tenant=user.tenant_id, user=user, subject_id=message.pk, channel=channel, **stored
    )
