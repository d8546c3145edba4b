"""Each call of the clients as steps with no I/O of their own: a call yields `Send` (an HTTP request; the response, or
the transport error thrown in, comes back) and `Pause` (a wait before retrying), and returns its result. `Client`
runs the steps with httpx.Client and time.sleep, `AsyncClient` with httpx.AsyncClient and asyncio.sleep: the two
cannot drift apart."""

import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from walker_approvals import wire
from walker_approvals.errors import DecisionTimeout
from walker_approvals.models import ApprovalRequest, Decision


@dataclass(frozen=True)
class Send:
    method: str
    path: str
    options: dict = field(default_factory=dict)  # httpx's keyword arguments: json, params


@dataclass(frozen=True)
class Pause:
    seconds: float


T = TypeVar("T")
Steps = Generator[Send | Pause, httpx.Response | None, T]  # yields steps, is sent answers, returns a T


def sent(retry: wire.Retry, method: str, path: str, **options) -> Steps[httpx.Response]:
    """Walker's answer; connection errors, 429 and 5xx are tried again with backoff, the same body (and so the same
    idempotency key) every time."""
    attempt = 0
    while True:
        response, error = None, None
        try:
            response = yield Send(method, path, options)
        except httpx.TransportError as failed:
            error = failed
        if response is not None and not wire.retryable(response):
            return response
        attempt += 1
        if attempt >= retry.attempts:
            raise wire.gave_up(retry, response, error) from error
        yield Pause(retry.delay(attempt - 1, response))


def request(
    retry: wire.Retry,
    action: str,
    args: dict,
    description: str,
    *,
    context: str = "",
    idempotency_key: str | None = None,
    expires_in: int | None = None,
    allowed_decisions=None,
) -> Steps[ApprovalRequest]:
    """File a request (202), or find the one this idempotency key filed (200): never two."""
    body = wire.request_body(
        action,
        args,
        description,
        idempotency_key=idempotency_key or wire.new_key(),
        context=context,
        expires_in=expires_in,
        allowed_decisions=allowed_decisions,
    )
    return wire.answered((yield from sent(retry, "POST", wire.PATH, json=body)))


def get(retry: wire.Retry, request_id: str, wait: int = 0) -> Steps[ApprovalRequest]:
    return wire.answered((yield from sent(retry, "GET", f"{wire.PATH}{request_id}/", params={"wait": wait})))


def wait(retry: wire.Retry, request_id: str, timeout: float | None = None) -> Steps[Decision]:
    """Long-poll until the request is decided; DecisionTimeout after `timeout` seconds (None: no limit)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        params = wire.wait_params(remaining)
        asked = wire.answered((yield from sent(retry, "GET", f"{wire.PATH}{request_id}/", params=params)))
        if asked.decision is not None:
            return asked.decision
        if deadline is not None and time.monotonic() >= deadline:
            raise DecisionTimeout(request_id)


def ask(
    retry: wire.Retry, action: str, args: dict, description: str, *, timeout: float | None = None, **options
) -> Steps[Decision]:
    """`request`, then `wait`: the decision on it."""
    filed = yield from request(retry, action, args, description, **options)
    return (yield from wait(retry, filed.id, timeout))


def report_result(retry: wire.Retry, request_id: str, outcome: str, detail: str) -> Steps[ApprovalRequest]:
    """Say how carrying out an approved request went (`succeeded` or `failed`); Walker records it once."""
    body = {"outcome": outcome, "detail": detail}
    return wire.answered((yield from sent(retry, "POST", f"{wire.PATH}{request_id}/result/", json=body)))
