"""Executors carry out an approved action exactly once: in Walker's own data, by the tenant's webhook, or on the
platform a routed app chose (an ad platform, registered by adplatforms when it is ready)."""

from collections.abc import Callable

from agents.executors.base import (
    ExecutionError,
    ExecutionRequest,
    ExecutionResult,
    Executor,
    ReadBack,
    ReadsBack,
    RetryableExecutionError,
    Verdict,
    reads_back,
)
from agents.executors.ledger import LedgerExecutor
from agents.executors.webhook import WebhookExecutor, sign

__all__ = [
    "ExecutionError",
    "ExecutionRequest",
    "ExecutionResult",
    "Executor",
    "LedgerExecutor",
    "ReadBack",
    "ReadsBack",
    "RetryableExecutionError",
    "Verdict",
    "WebhookExecutor",
    "get_executor",
    "reads_back",
    "register_router",
    "sign",
]

# Routers asked first, in the order registered: (request) -> the executor for this action, or None (not theirs).
Router = Callable[[ExecutionRequest], Executor | None]
_routers: list[Router] = []


def register_router(router: Router) -> None:
    if router not in _routers:
        _routers.append(router)


def get_executor(request: ExecutionRequest) -> Executor:
    """The executor of this one action: a registered router's when one claims it (a campaign synced from an ad
    platform is changed there); else the tenant's webhook when it has one configured, else Walker's own ledger."""
    for router in _routers:
        executor = router(request)
        if executor is not None:
            return executor
    return WebhookExecutor() if request.tenant.action_webhook_url else LedgerExecutor()
