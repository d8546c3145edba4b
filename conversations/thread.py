"""A conversation as the console shows it: a page of bubbles by sender, with the approvals each message led to."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.urls import reverse

from conversations.models import Message
from conversations.privacy import message_text

PAGE_SIZE = 50


@dataclass
class Bubble:
    message: Message
    side: str  # "them" (the person), "agent", "system"
    sender: str
    text: str
    approvals: list = field(default_factory=list)  # (reference, status label, admin url)


def _side(message: Message) -> tuple[str, str]:
    if message.direction == Message.Direction.INBOUND:
        return "them", "Customer"
    if message.sender_type == Message.SenderType.SYSTEM:
        return "system", "Walker"
    agent = message.metadata.get("agent_type") or "agent"
    return "agent", agent.replace("_", " ").title()


def page_of(conversation, page_number, *, revealed: bool):
    """The page asked for (the latest when none), its bubbles, and the approvals asked for in them linked both ways."""
    from hitl.models import HITLApproval  # conversations may read hitl (see docs/architecture.md)

    paginator = Paginator(conversation.messages.order_by("created_at", "pk"), PAGE_SIZE)
    page = paginator.get_page(page_number or paginator.num_pages)
    messages = list(page.object_list)
    linked = {}
    approvals = HITLApproval.objects.filter(source_message__in=[m.pk for m in messages]).order_by("requested_at")
    for approval in approvals.only("pk", "reference", "status", "source_message_id"):
        url = reverse("admin:hitl_hitlapproval_change", args=[approval.pk])
        linked.setdefault(approval.source_message_id, []).append(
            (approval.reference, approval.get_status_display(), url)
        )
    bubbles = []
    for message in messages:
        side, sender = _side(message)
        bubbles.append(
            Bubble(message, side, sender, message_text(message, revealed=revealed), linked.get(message.pk, []))
        )
    return page, bubbles
