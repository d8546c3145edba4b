"""A conversation as the console shows it: a page of bubbles by sender, with the approvals each message led to,
and the staff's internal notes in their place in time (shown apart: they were never sent)."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _

from agents.models import AgentType
from conversations.models import ConversationNote, Message
from conversations.privacy import message_text
from conversations.takeover import display_name
from hitl.models import HITLApproval

PAGE_SIZE = 50


@dataclass
class Bubble:
    message: Message | ConversationNote
    side: str  # "them" (the person), "agent", "human" (staff who took over), "system", "note" (internal)
    sender: str
    text: str
    approvals: list = field(default_factory=list)  # (reference, status label, admin url)


def _side(message: Message) -> tuple[str, str]:
    if message.direction == Message.Direction.INBOUND:
        return "them", _("Customer")
    if message.sender_type == Message.SenderType.SYSTEM:
        return "system", "Walker"
    if message.sender_type == Message.SenderType.HUMAN:
        return "human", message.metadata.get("author") or _("A person")
    agent = message.metadata.get("agent_type")
    return "agent", str(AgentType(agent).label) if agent in AgentType.values else _("Agent")


def page_of(conversation, page_number, *, revealed: bool):
    """The page asked for (the latest when none), its bubbles, and the approvals asked for in them linked both ways."""
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
    notes = _notes_of_page(conversation, page, messages)
    bubbles += [Bubble(note, "note", _author(note), message_text(note, revealed=revealed)) for note in notes]
    bubbles.sort(key=lambda bubble: bubble.message.created_at)
    return page, bubbles


def _notes_of_page(conversation, page, messages):
    """The notes written between the page's first message and the next page's (all before, on the first page)."""
    notes = conversation.notes.select_related("author")
    if page.has_previous() and messages:
        notes = notes.filter(created_at__gte=messages[0].created_at)
    if page.has_next():
        notes = notes.filter(created_at__lt=page.paginator.page(page.next_page_number()).object_list[0].created_at)
    return list(notes)


def _author(note: ConversationNote) -> str:
    author = display_name(note.author) if note.author else _("a former colleague")
    return _("Internal note · %(author)s") % {"author": author}
