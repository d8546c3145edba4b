"""A conversation of another channel (WhatsApp, email, the API) read back on the member's page, `/chat/<id>/`.

The chat cannot write there: the page shows the thread as the chat's history would (channels_app.chat.session: the
same last messages, as written, with each request's chip as it stands now), recorded as a read the same way, and
says where to go on.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.models import AgentType
from channels_app.chat import session
from conversations.models import Channel, Conversation, Message
from conversations.normalized import REFUSED
from conversations.privacy import message_text
from conversations.services import with_current_status
from hitl.models import ApprovalStatus
from tenants.privacy.audit import Origin, record

WHERE_TO_GO_ON = {
    Channel.WHATSAPP: gettext_lazy(
        "This conversation is on WhatsApp: continue it there, or start a new conversation here."
    ),
    Channel.EMAIL: gettext_lazy("This conversation is by email: continue it there, or start a new conversation here."),
    Channel.API: gettext_lazy("This conversation came through the API: start a new conversation here to go on."),
}

STATUS_LABELS = {**dict(ApprovalStatus.choices), REFUSED: gettext_lazy("Refused")}  # a refused action filed nothing


@dataclass(frozen=True)
class Chip:
    """A proposed action beside the answer that made it: its reference, status in words and summary as they stand,
    and the notes the chat's chip shows (a refusal's reason, "1 of 2 approved" while it waits, who changed it)."""

    reference: str
    status: str
    status_label: str
    summary: str
    notes: list[str]


@dataclass(frozen=True)
class Line:
    """One message of the thread: whose (`role` as the chat names it), by whom, what and when."""

    role: str  # user, agent, human or system
    name: str
    text: str
    at: datetime
    chips: list[Chip]


def is_read_back(conversation: Conversation) -> bool:
    return conversation.channel != Channel.CHAT


def where_to_go_on(conversation: Conversation) -> str:
    return str(WHERE_TO_GO_ON.get(conversation.channel, ""))


def thread(conversation: Conversation, *, reader, origin: Origin) -> list[Line]:
    """The conversation's last messages, oldest first, for the person it is with; recorded as a read."""
    record(reader, conversation, tenant=conversation.tenant, origin=origin)
    messages = session.latest_messages(conversation)
    stored = [m.metadata.get("actions") or [] for m in messages]
    current = iter(with_current_status([action for actions in stored for action in actions]))  # one lookup for all
    return [_line(m, [next(current) for _action in actions]) for m, actions in zip(messages, stored, strict=True)]


def _line(m: Message, actions: list[dict]) -> Line:
    if m.direction == Message.Direction.INBOUND:
        role, name = "user", ""
    elif m.sender_type == Message.SenderType.SYSTEM:
        role, name = "system", ""
    elif m.sender_type == Message.SenderType.HUMAN:
        role, name = "human", m.metadata.get("author") or _("Support")
    else:
        agent = m.metadata.get("agent_type")
        role, name = "agent", AgentType(agent).label if agent in AgentType.values else "Walker"
    text = message_text(m, revealed=True)  # only the person the conversation is with reads it here
    return Line(role=role, name=str(name), text=text, at=m.created_at, chips=[_chip(a) for a in actions])


def _chip(action: dict) -> Chip:
    status = action.get("status") or ""
    notes = [action["reason"]] if action.get("reason") else []
    levels = action.get("levels") or 0
    if status == ApprovalStatus.PENDING and levels > 1:
        approved = action.get("approved_levels") or 0
        notes.append(_("%(approved)s of %(levels)s approved") % {"approved": approved, "levels": levels})
    if action.get("edited_by"):
        notes.append(_("Changed by %(name)s") % {"name": action["edited_by"]})
    return Chip(
        reference=action.get("reference") or "",
        status=status,
        status_label=str(STATUS_LABELS.get(status, status)),
        summary=action.get("summary") or "",
        notes=notes,
    )
