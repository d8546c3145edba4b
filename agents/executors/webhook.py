"""Sends an approved action to the tenant's own system, which carries it out.

Each attempt is a POST of compact JSON (sorted keys, no spaces):

    {"action_data":{...},"action_type":"set_budget","approval_id":"<uuid>",
     "approved_at":"<ISO 8601>","reference":"BR-123456","tenant":"<tenant slug>"}

with these headers:

    Content-Type: application/json
    Idempotency-Key: <approval_id>      the same on every retry: drop a key you have already handled
    X-Walker-Timestamp: <unix seconds>  when this attempt was signed
    X-Walker-Signature: sha256=<hex>    HMAC-SHA256 keyed with the tenant's action_webhook_secret
                                        over the bytes "<X-Walker-Timestamp>.<raw body>"

A receiver verifies with `hmac.compare_digest(header, sign(secret, timestamp, raw_body))` and
should refuse timestamps more than a few minutes old, so a captured request cannot be replayed.

Any 2xx answer means done. 408, 429, 5xx, timeouts and network failures raise
RetryableExecutionError (the calling task retries with backoff); any other answer,
redirects included (they are not followed), is final. The URL must be one Walker may
send to (tenants.outbound: https, public addresses only). Only the answer's status is
kept: what a receiver writes back is never shown to the tenant.
"""

import hashlib
import hmac
import json
import time
from http import HTTPStatus

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy, gettext_noop

from agents.executors.base import ExecutionError, ExecutionRequest, ExecutionResult, RetryableExecutionError
from core.sentence import Sentence
from tenants import outbound


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The X-Walker-Signature value for `body` sent at `timestamp`."""
    if isinstance(body, str):
        body = body.encode()
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _body(request: ExecutionRequest) -> bytes:
    payload = {
        "approval_id": request.approval_id,
        "reference": request.reference,
        "tenant": request.tenant.slug,
        "action_type": request.action_type,
        "action_data": request.action_data,
        "approved_at": request.approved_at.isoformat(),
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class WebhookExecutor:
    destination = gettext_lazy("the tenant's webhook")

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        tenant = request.tenant
        if not tenant.action_webhook_secret:
            raise ExecutionError("The action webhook has no signing secret; set one before actions can be sent")
        url = tenant.action_webhook_url
        try:
            host = outbound.check_url(url)
        except outbound.OutboundURLRefused as exc:
            raise ExecutionError(f"Walker may not send to the action webhook URL: {exc}") from exc
        body = _body(request)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": request.approval_id,
            "X-Walker-Timestamp": timestamp,
            "X-Walker-Signature": sign(tenant.action_webhook_secret, timestamp, body),
        }
        timeout = settings.ACTION_WEBHOOK_TIMEOUT
        try:
            response = outbound.post(url, content=body, headers=headers, timeout=timeout)
        except outbound.OutboundURLRefused as exc:  # what the host resolved to, at send time
            raise ExecutionError(f"Walker may not send to the action webhook URL: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise RetryableExecutionError(f"{host} did not answer within {timeout}s") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise RetryableExecutionError(f"Could not reach {host}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:  # e.g. an unsupported URL scheme: retrying will not help
            raise ExecutionError(f"Could not send to {host}: {type(exc).__name__}") from exc

        status = response.status_code
        if response.is_success:
            sent = Sentence(gettext_noop("Sent to %(host)s: HTTP %(status)s"), host=host, status=status)
            return ExecutionResult(before={}, after={"status_code": status}, detail=sent)
        outcome = f"{host} answered HTTP {status} {_phrase(status)}"
        if status in (408, 429) or status >= 500:
            raise RetryableExecutionError(outcome)
        raise ExecutionError(outcome)


def _phrase(status: int) -> str:
    """The standard reason phrase: the receiver's own words are not passed on."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
