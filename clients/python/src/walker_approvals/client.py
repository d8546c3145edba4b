"""The synchronous client: file a request, wait for its decision, report the outcome."""

import time

import httpx

from walker_approvals import wire
from walker_approvals.errors import DecisionTimeout
from walker_approvals.models import ApprovalRequest, Decision


class Client:
    """One agent's door to Walker's approval desk, with its integration token (scope `request`).

    Connection errors, 429 and 5xx are retried with backoff (`retry`); a POST carries one idempotency key on every
    try, so a retry never files a second request."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: wire.Retry | None = None,
        timeout: httpx.Timeout = wire.TIMEOUT,
    ):
        self.retry = retry or wire.Retry()
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers=wire.headers(token))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        action: str,
        args: dict,
        description: str,
        *,
        context: str = "",
        idempotency_key: str | None = None,
        expires_in: int | None = None,
        allowed_decisions=None,
    ) -> ApprovalRequest:
        """File a request (202), or find the one this idempotency key filed (200): never two."""
        key = idempotency_key or wire.new_key()
        body = wire.request_body(
            action,
            args,
            description,
            idempotency_key=key,
            context=context,
            expires_in=expires_in,
            allowed_decisions=allowed_decisions,
        )
        return wire.answered(self._send("POST", wire.PATH, json=body))

    def get(self, request_id: str, wait: int = 0) -> ApprovalRequest:
        return wire.answered(self._send("GET", f"{wire.PATH}{request_id}/", params={"wait": wait}))

    def wait(self, request_id: str, timeout: float | None = None) -> Decision:
        """Long-poll until the request is decided; DecisionTimeout after `timeout` seconds (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            params = wire.wait_params(remaining)
            asked = wire.answered(self._send("GET", f"{wire.PATH}{request_id}/", params=params))
            if asked.decision is not None:
                return asked.decision
            if deadline is not None and time.monotonic() >= deadline:
                raise DecisionTimeout(request_id)

    def ask(self, action: str, args: dict, description: str, *, timeout: float | None = None, **options) -> Decision:
        """`request`, then `wait`: the decision on it."""
        return self.wait(self.request(action, args, description, **options).id, timeout)

    def report_result(self, request_id: str, outcome: str, detail: str) -> ApprovalRequest:
        """Say how carrying out an approved request went (`succeeded` or `failed`); Walker records it once."""
        body = {"outcome": outcome, "detail": detail}
        return wire.answered(self._send("POST", f"{wire.PATH}{request_id}/result/", json=body))

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        attempt = 0
        while True:
            response, error = None, None
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as failed:
                error = failed
            if response is not None and not wire.retryable(response):
                return response
            attempt += 1
            if attempt >= self.retry.attempts:
                raise wire.gave_up(self.retry, response, error) from error
            time.sleep(self.retry.delay(attempt - 1, response))
