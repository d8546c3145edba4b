"""Ask Walker's approval desk before an agent acts (issue 49): clients, and adapters for LangGraph
(`walker_approvals.langgraph`) and the OpenAI Agents SDK (`walker_approvals.openai_agents`)."""

from walker_approvals.aclient import AsyncClient
from walker_approvals.client import Client
from walker_approvals.errors import DecisionTimeout, NotFound, Refused, Unavailable, WalkerError
from walker_approvals.models import DECISIONS, ApprovalRequest, Decision
from walker_approvals.wire import Retry

__all__ = [
    "DECISIONS",
    "ApprovalRequest",
    "AsyncClient",
    "Client",
    "Decision",
    "DecisionTimeout",
    "NotFound",
    "Refused",
    "Retry",
    "Unavailable",
    "WalkerError",
]
