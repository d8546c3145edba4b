"""What every engine receives and returns."""

from dataclasses import dataclass, field, replace

from agents.actions import ProposedAction
from tenants.pii import redact


class EngineError(Exception):
    """The engine could not answer (timeout, bad status, unreadable output). The pipeline falls back politely."""


@dataclass(frozen=True)
class HistoryItem:
    role: str  # "user" or "assistant"
    text: str


@dataclass(frozen=True)
class EngineRequest:
    tenant: object  # tenants.Tenant
    user: object  # tenants.User
    agent: object  # agents.AIAgent
    conversation_id: str
    text: str
    history: tuple[HistoryItem, ...] = ()  # earlier turns of this conversation, oldest first

    def without_personal_data(self) -> "EngineRequest":
        """The same request with personal data in the text and history replaced by placeholders ([phone])."""
        return replace(
            self,
            text=redact(self.text),
            history=tuple(HistoryItem(item.role, redact(item.text)) for item in self.history),
        )


@dataclass
class EngineReply:
    text: str
    actions: list[ProposedAction] = field(default_factory=list)
