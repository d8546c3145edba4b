"""The approval page's excerpt of the conversation that led to a request: its last messages up to the one that
did, masked for the viewer. Conversations reads its own messages here and registers this with
`hitl.timeline.register_excerpt` when it is ready, so hitl shows them without importing conversations."""

from django.utils.translation import gettext as _

from conversations import access as conversation_access
from conversations.models import Message
from conversations.privacy import message_text
from hitl.models import HITLApproval
from tenants.privacy.audit import Origin, record

EXCERPT_SIZE = 4  # messages up to and including the one that led to the request


def excerpt(approval: HITLApproval, viewer, origin: Origin | None = None) -> dict | None:
    """The messages that led to the request, masked for the viewer, and a link when they may open the chat.
    Showing them is a read of the conversation: with an `origin` (a page view), it writes the access record."""
    conversation = approval.conversation
    if conversation is None:
        return None
    messages = conversation.messages.order_by("-created_at")
    if approval.source_message_id:
        anchor = Message.objects.filter(pk=approval.source_message_id).values_list("created_at", flat=True).first()
        if anchor is not None:
            messages = messages.filter(created_at__lte=anchor)
    revealed = conversation_access.shows_unmasked(viewer, conversation)
    lines = [
        {
            "when": m.created_at,
            "who": _("Customer") if m.direction == Message.Direction.INBOUND else _("Agent"),
            "text": message_text(m, revealed=revealed),
            "led_to_it": m.pk == approval.source_message_id,
        }
        for m in reversed(list(messages[:EXCERPT_SIZE]))
    ]
    may_open = conversation_access.conversations_for(viewer).filter(pk=conversation.pk).exists()
    if lines and origin is not None:
        record(viewer, conversation, tenant=conversation.tenant, origin=origin)
    return {"lines": lines, "conversation": conversation, "may_open": may_open}
