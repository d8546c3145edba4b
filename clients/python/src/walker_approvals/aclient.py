"""The asynchronous client: the same calls as `Client`, awaited (for asyncio agents, the OpenAI Agents SDK)."""

import asyncio

import httpx

from walker_approvals import calls, wire
from walker_approvals.calls import T
from walker_approvals.models import ApprovalRequest, Decision


class AsyncClient:
    """One agent's door to Walker's approval desk, with its integration token (scope `request`).

    Connection errors, 429 and 5xx are retried with backoff (`retry`); a POST carries one idempotency key on every
    try, so a retry never files a second request. Each call's arguments: `walker_approvals.calls`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: wire.Retry | None = None,
        timeout: httpx.Timeout = wire.TIMEOUT,
    ):
        self.retry = retry or wire.Retry()
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, headers=wire.headers(token))

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(self, action: str, args: dict, description: str, **options) -> ApprovalRequest:
        """File a request (202), or find the one this idempotency key filed (200): never two."""
        return await self._run(calls.request(self.retry, action, args, description, **options))

    async def get(self, request_id: str, wait: int = 0) -> ApprovalRequest:
        return await self._run(calls.get(self.retry, request_id, wait))

    async def wait(self, request_id: str, timeout: float | None = None) -> Decision:
        """Long-poll until the request is decided; DecisionTimeout after `timeout` seconds (None: no limit)."""
        return await self._run(calls.wait(self.retry, request_id, timeout))

    async def ask(self, action: str, args: dict, description: str, **options) -> Decision:
        """`request`, then `wait` (`timeout` among the options): the decision on it."""
        return await self._run(calls.ask(self.retry, action, args, description, **options))

    async def report_result(self, request_id: str, outcome: str, detail: str) -> ApprovalRequest:
        """Say how carrying out an approved request went (`succeeded` or `failed`); Walker records it once."""
        return await self._run(calls.report_result(self.retry, request_id, outcome, detail))

    async def _run(self, steps: calls.Steps[T]) -> T:
        answer, error = None, None
        while True:
            try:
                step = steps.throw(error) if error is not None else steps.send(answer)
            except StopIteration as done:
                return done.value
            answer, error = None, None
            if isinstance(step, calls.Pause):
                await asyncio.sleep(step.seconds)
                continue
            try:
                answer = await self._http.request(step.method, step.path, **step.options)
            except httpx.TransportError as failed:
                error = failed
