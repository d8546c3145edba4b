"""What an executor is given, what it returns, and how it fails."""

from dataclasses import dataclass
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


class ExecutionError(Exception):
    """The action cannot be carried out; retrying will not help."""


class RetryableExecutionError(ExecutionError):
    """A transient failure; retrying later (with backoff) may succeed."""


class Executor(Protocol):
    def execute(self, request: ExecutionRequest) -> ExecutionResult: ...
