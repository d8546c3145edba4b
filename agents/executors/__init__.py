"""Executors carry out an approved action exactly once: in Walker's own data, or by the tenant's webhook."""

from agents.executors.base import (
    ExecutionError,
    ExecutionRequest,
    ExecutionResult,
    Executor,
    RetryableExecutionError,
)
from agents.executors.ledger import LedgerExecutor
from agents.executors.webhook import WebhookExecutor, sign

__all__ = [
    "ExecutionError",
    "ExecutionRequest",
    "ExecutionResult",
    "Executor",
    "LedgerExecutor",
    "RetryableExecutionError",
    "WebhookExecutor",
    "get_executor",
    "sign",
]


def get_executor(tenant) -> Executor:
    """The tenant's webhook when it has one configured, else Walker's own ledger."""
    return WebhookExecutor() if tenant.action_webhook_url else LedgerExecutor()
