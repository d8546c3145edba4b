"""What the sync and async clients share: the calls' shapes, when to retry and how long to wait, and how Walker's
refusals become exceptions. Each client only runs the loop with its own httpx client and sleep."""

import email.utils
import math
import random
import time
import uuid
from dataclasses import dataclass

import httpx

from walker_approvals.errors import NotFound, Refused, Unavailable
from walker_approvals.models import ApprovalRequest

PATH = "/api/v1/approval-requests/"
MAX_WAIT = 30  # Walker answers a long poll after at most this many seconds (a longer `wait` is a 400)
# Connecting and writing are quick; a read waits out a long poll, with room for a slow network.
TIMEOUT = httpx.Timeout(10.0, read=MAX_WAIT + 15.0)


@dataclass(frozen=True)
class Retry:
    """How often and how patiently to try again after a connection error, a 429 or a 5xx.

    The delay doubles from `backoff` up to `max_delay`, with jitter; a 429's or 503's Retry-After wins when it says
    longer (up to `max_delay`)."""

    attempts: int = 6
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        wanted = min(self.backoff * 2**attempt, self.max_delay) * random.uniform(0.5, 1.0)
        told = retry_after(response) if response is not None else None
        return min(max(wanted, told), self.max_delay) if told is not None else wanted


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither form: the backoff decides
    return max(when.timestamp() - time.time(), 0.0)


def retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def gave_up(retry: Retry, response: httpx.Response | None, error: Exception | None) -> Unavailable:
    why = f"answered {response.status_code}" if response is not None else f"could not be reached ({error!r})"
    return Unavailable(f"Walker {why}, {retry.attempts} tries in a row.")


def headers(token: str) -> dict:
    return {"Authorization": f"Token {token}", "User-Agent": "walker-approvals/0.1"}


def new_key() -> str:
    """An idempotency key for one logical request, made once and sent on every retry of it."""
    return f"walker-approvals-{uuid.uuid4()}"


def request_body(
    action: str,
    args: dict,
    description: str,
    *,
    idempotency_key: str,
    context: str = "",
    expires_in: int | None = None,
    allowed_decisions=None,
) -> dict:
    body = {
        "action": action,
        "args": args,
        "description": description,
        "context": context,
        "idempotency_key": idempotency_key,
    }
    if expires_in is not None:
        body["expires_in"] = int(expires_in)
    if allowed_decisions is not None:
        body["allowed_decisions"] = list(allowed_decisions)
    return body


def wait_params(remaining: float | None) -> dict:
    """Whole seconds, rounded up: a wait of 0 would answer at once and turn the last moments into a busy loop."""
    seconds = MAX_WAIT if remaining is None else max(1, min(MAX_WAIT, math.ceil(remaining)))
    return {"wait": seconds}


def answered(response: httpx.Response) -> ApprovalRequest:
    """The request in a 2xx answer; any other answer as the exception that says why."""
    if response.is_success:
        return ApprovalRequest.from_json(response.json(), created=response.status_code == 202)
    raise refusal(response)


def refusal(response: httpx.Response) -> Refused:
    """Walker answers `{code, detail}`, or field errors by name (DRF's 400), or `{detail}` (401, 403, 404)."""
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:500]}
    if not isinstance(body, dict):
        body = {"detail": str(body)[:500]}
    kind = NotFound if response.status_code == 404 else Refused
    if "code" in body and isinstance(body.get("detail"), str):
        return kind(response.status_code, body["code"], body["detail"])
    if "detail" in body and len(body) == 1:
        return kind(response.status_code, http_code(response.status_code), str(body["detail"]))
    detail = "; ".join(f"{name}: {_words(why)}" for name, why in body.items())
    return kind(response.status_code, "invalid", detail, fields=body)


def _words(why) -> str:
    return " ".join(map(str, why)) if isinstance(why, list) else str(why)


def http_code(status: int) -> str:
    return {401: "not_authenticated", 403: "forbidden", 404: "not_found"}.get(status, f"http_{status}")
