"""Drafting: the Content agent's LLM engine writes a piece, and Walker stores it as a draft at once.

Why no approval. Every `ActionSpec` changes something the business's customers or its spend feel (a budget, a
pause, a public post, an audience a platform targets), so each waits for a person (hitl), and the risk model
scores what it could cost or reach. A draft is none of that: a new `ContentPiece` in status draft, seen only
inside Walker, spending nothing, reaching no one, changing no existing row, and deleted as easily as made. Filing
it for approval would only ask a person to approve that text exists. What makes it public, `publish_content` or
`schedule_content`, still waits for approval like any other action.

So drafting is a write tool beside the read tools, with guards of its own in place of the gateway's: only the
Content agent, only while answering the person (never for a suggestion), only the tenant's own rows, bounded
text (a title of at most TITLE_MAX_CHARS, a body of at most BODY_MAX_CHARS: longer is refused, never cut), at
most MAX_DRAFTS_PER_HOUR per conversation, and an audit row (`ToolCallAudit`, decision drafted or refused).
Whatever the model writes around it, Walker itself tells the person what was saved, or why not (`Outcome.note`).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import formatting as fmt
from agents.models import AgentType, ContentPiece, ToolCallAudit
from tenants.input_text import text_problem
from tenants.pii import redact

TOOL = "create_draft"
TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 20_000  # a long blog post is about 2,000 words, some 12,000 characters
MAX_DRAFTS_PER_HOUR = 5  # per conversation
SPACES = re.compile(r"\s+")


def tool() -> dict:
    """The tool as an OpenAI-compatible function."""
    return {
        "type": "function",
        "function": {
            "name": TOOL,
            "description": (
                "Save a piece you wrote as a draft in the business's content list, when asked to write one. "
                "A draft is not public; publishing or scheduling it is a separate proposal a human approves."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "maxLength": TITLE_MAX_CHARS},
                    "channel": {"type": "string", "enum": list(ContentPiece.Channel.values)},
                    "body": {
                        "type": "string",
                        "maxLength": BODY_MAX_CHARS,
                        "description": "The whole text of the piece, ready to read",
                    },
                },
                "required": ["title", "channel", "body"],
            },
        },
    }


def may_draft(agent) -> bool:
    return agent.agent_type == AgentType.CONTENT


@dataclass(frozen=True)
class Outcome:
    """One drafting call: the piece saved, or the reason it was not."""

    piece: ContentPiece | None
    title: str
    reason: str = ""

    @property
    def note(self) -> str:
        """What Walker tells the person, in their language."""
        if self.piece is None:
            return _("The draft “%(title)s” was not saved: %(reason)s.") % {"title": self.title, "reason": self.reason}
        return _(
            "Saved as a draft: “%(title)s” (%(channel)s). It is not public: ask me to publish or schedule it, "
            "and a person will approve that first."
        ) % {"title": self.piece.title, "channel": self.piece.get_channel_display()}

    def for_model(self) -> dict:
        if self.piece is None:
            return {"error": f"not saved: {self.reason}"}
        return {
            "status": "saved as a draft; not public. Publishing it is a proposal a human approves.",
            "content_id": str(self.piece.pk),
            "title": self.piece.title,
            "channel": self.piece.channel,
        }


def draft(arguments, *, tenant, agent, user, conversation_id, may_write: bool = True) -> Outcome:
    """Store the draft the engine wrote, if it may be stored; every call is audited."""
    data = arguments if isinstance(arguments, dict) else {}
    title = _clean_title(data.get("title"))
    reason = _reason_to_refuse(data, title, agent=agent, conversation_id=conversation_id, may_write=may_write)
    shown_title = title or _("untitled")
    audit = {"title": redact(title), "channel": str(data.get("channel", ""))[:20], "body_chars": _length(data)}
    with transaction.atomic():
        piece = None
        if reason is None:
            piece = ContentPiece.objects.create(
                tenant=tenant,
                title=title,
                channel=data.get("channel") or ContentPiece.Channel.BLOG,
                status=ContentPiece.Status.DRAFT,
                body=data["body"].strip(),
            )
            audit["content_id"] = str(piece.pk)
        ToolCallAudit.objects.create(
            tenant=tenant,
            agent=agent,
            user=user,
            conversation_id=conversation_id,
            action_type=TOOL,
            action_data=audit,
            summary=redact(shown_title)[:300],
            decision=ToolCallAudit.Decision.REFUSED if reason else ToolCallAudit.Decision.DRAFTED,
            reason=reason or "",
        )
    return Outcome(piece, shown_title, reason or "")


def _clean_title(raw) -> str:
    return SPACES.sub(" ", raw).strip() if isinstance(raw, str) else ""


def _length(data: dict) -> int:
    body = data.get("body")
    return len(body) if isinstance(body, str) else 0


def _reason_to_refuse(data: dict, title: str, *, agent, conversation_id, may_write: bool) -> str | None:
    body = data.get("body")
    if not data:  # arguments that were not a JSON object, or an empty one
        return _("its details are unreadable")
    if not may_write:
        return _("a suggested answer saves nothing")
    if not may_draft(agent):
        return _("only the Content agent writes drafts")
    if not title:
        return _("it has no title")
    if len(title) > TITLE_MAX_CHARS:
        return _("its title is longer than %(count)s characters") % {"count": TITLE_MAX_CHARS}
    if not isinstance(body, str) or not body.strip():
        return _("it has no text")
    if len(body.strip()) > BODY_MAX_CHARS:
        return _("it is longer than %(count)s characters") % {"count": fmt.number(BODY_MAX_CHARS)}
    if data.get("channel") not in (None, "", *ContentPiece.Channel.values):
        return _("“%(channel)s” is not a channel Walker knows") % {"channel": str(data["channel"])[:40]}
    if text_problem(title) or text_problem(body):
        return _("its text holds characters that cannot be stored")
    if _drafts_this_hour(conversation_id) >= MAX_DRAFTS_PER_HOUR:
        return _("this conversation reached its limit of %(count)s drafts an hour") % {"count": MAX_DRAFTS_PER_HOUR}
    return None


def _drafts_this_hour(conversation_id) -> int:
    since = timezone.now() - timedelta(hours=1)
    return ToolCallAudit.objects.filter(
        conversation_id=conversation_id, decision=ToolCallAudit.Decision.DRAFTED, created_at__gte=since
    ).count()
