"""What every engine receives and returns."""

from dataclasses import dataclass, field

from agents.actions import ProposedAction


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


@dataclass
class EngineReply:
    text: str
    actions: list[ProposedAction] = field(default_factory=list)
