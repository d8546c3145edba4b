"""What every engine receives and returns."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.utils.translation import gettext as _

from agents.actions import ProposedAction
from tenants.pii import redact


class EngineError(Exception):
    """The engine could not answer (timeout, bad status, unreadable output). The pipeline falls back politely.

    `reply`: what the person may be told about it, when the engine knows better than the pipeline's general
    apology (that it did not answer in time, that it could not be reached); never a detail of the failure."""

    def __init__(self, message: str, *, reply: str | None = None):
        super().__init__(message)
        self.reply = reply


def timed_out(seconds: float) -> str:
    """The person's reply when an external engine did not answer in time."""
    return _(
        "The AI engine did not answer within %(seconds)s seconds, so I have no answer and nothing was saved or "
        "changed. Please try again in a minute."
    ) % {"seconds": f"{seconds:g}"}


def unreachable() -> str:
    """The person's reply when an external engine could not be reached or answered with an error."""
    return _(
        "The AI engine could not be reached just now, so I have no answer and nothing was saved or changed. "
        "Please try again in a minute."
    )


@dataclass(frozen=True)
class HistoryItem:
    role: str  # "user" or "assistant"
    text: str


class Outcome(StrEnum):
    """What became of a proposal, as an engine is told it (the values are part of the engines' JSON)."""

    REJECTED = "rejected"
    EXPIRED = "expired"
    EDITED = "edited"
    EXECUTED = "executed"
    EXECUTION_FAILED = "execution_failed"
    REVISION_ASKED = "revision_asked"  # an approver's note instead of a decision: the detail says what to change


@dataclass(frozen=True)
class DecisionNote:
    """What people decided about one of this conversation's proposals since the engine last answered."""

    reference: str
    action_type: str
    outcome: Outcome
    summary: str  # the action as it now stands (after edits)
    detail: str = ""  # the rejection reason, the edit, the error
    action_data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "action_type": self.action_type,
            "outcome": self.outcome,
            "summary": self.summary,
            "detail": self.detail,
            "action_data": self.action_data,
        }


@dataclass(frozen=True)
class EngineRequest:
    tenant: object  # tenants.Tenant
    user: object  # tenants.User
    agent: object  # agents.AIAgent
    conversation_id: str
    text: str
    history: tuple[HistoryItem, ...] = ()  # earlier turns of this conversation, oldest first
    decisions: tuple[DecisionNote, ...] = ()  # outcomes of its proposals since the last answer
    # Called with each piece of the answer as an engine that streams writes it (shown live, not stored).
    on_delta: Callable[[str], None] | None = field(default=None, compare=False)
    # False when the answer is only a suggestion for a person (conversations.takeover): nothing may be stored.
    may_write: bool = True

    def without_personal_data(self) -> "EngineRequest":
        """The same request with personal data in the text and history replaced by placeholders ([phone])."""
        return replace(
            self,
            text=redact(self.text),
            history=tuple(HistoryItem(item.role, redact(item.text)) for item in self.history),
            decisions=tuple(replace(d, summary=redact(d.summary), detail=redact(d.detail)) for d in self.decisions),
        )


@dataclass
class EngineReply:
    text: str
    actions: list[ProposedAction] = field(default_factory=list)
    # False when the engine did not work out what was asked and its text is only its fallback ("Sorry, I didn't
    # get that…"): fine to send the customer, no use as a suggestion for a person to send.
    understood: bool = True
