"""What an executor is given, what it returns, and how it fails."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tenants.models import Tenant


@dataclass(frozen=True)
class ExecutionRequest:
    """An approved action, ready to be carried out once."""

    tenant: "Tenant"
    approval_id: str
    reference: str
    action_type: str
    action_data: dict
    approved_at: datetime  # aware


@dataclass
class ExecutionResult:
    before: dict  # JSON-safe
    after: dict  # JSON-safe
    detail: str  # one line for people, e.g. "Summer Sale daily budget $500.00 -> $700.00"
    outcome: dict = field(default_factory=dict)  # JSON-safe: what the receiver reported (an ad platform's units)


class ExecutionError(Exception):
    """The action cannot be carried out; retrying will not help."""


class RetryableExecutionError(ExecutionError):
    """A transient failure; retrying later (with backoff) may succeed. `retry_after`: the delay in seconds the
    receiver asked for (a platform's quota), which replaces the backoff for the next attempt."""

    def __init__(self, message="", *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Executor(Protocol):
    destination: str  # where a remote executor sends the action, for the history ("Google Ads")

    def execute(self, request: ExecutionRequest) -> ExecutionResult: ...
