"""Google Ads' failures as adplatforms.errors.

A refused call answers a google.rpc.Status (`{"error": {"code", "message", "status", "details"}}`; searchStream
wraps it in its JSON array) whose details carry a GoogleAdsFailure: `errors[]`, each with an `errorCode` (one
category and its value, e.g. `{"quotaError": "RESOURCE_EXHAUSTED"}`), a `message` and, for quotas,
`details.quotaErrorDetails` (`rateScope` ACCOUNT or DEVELOPER, `rateName`, `retryDelay` such as "41732s").
The first error of the failure decides the kind; the detail lists every error's message with its code.
"""

import json
import re
from decimal import Decimal

import httpx

from adplatforms import errors

# Authentication failures that only a new authorisation mends (AuthenticationErrorEnum).
_REAUTHORISE = {
    "OAUTH_TOKEN_EXPIRED",
    "OAUTH_TOKEN_INVALID",
    "OAUTH_TOKEN_REVOKED",
    "OAUTH_TOKEN_DISABLED",
    "OAUTH_TOKEN_HEADER_INVALID",
    "GOOGLE_ACCOUNT_DELETED",
    "GOOGLE_ACCOUNT_AUTHENTICATION_FAILED",
    "GOOGLE_ACCOUNT_COOKIE_INVALID",
    "GOOGLE_ACCOUNT_USER_AND_ADS_USER_MISMATCH",
    "TWO_STEP_VERIFICATION_NOT_ENROLLED",
    "ADVANCED_PROTECTION_NOT_ENROLLED",
}
# An access token Google no longer takes though the refresh token may still be good: fetch another, once.
TOKEN_STALE = {"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_INVALID"}
_NOT_FOUND = {"RESOURCE_NOT_FOUND", "CUSTOMER_NOT_FOUND", "CAMPAIGN_BUDGET_REMOVED", "NOT_FOUND"}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")
_MAX_LISTED = 3  # errors named in one detail


def from_response(response: httpx.Response, *, secrets: tuple[str, ...] = ()) -> errors.PlatformError:
    """The error a refused call answered, with `secrets` (tokens) never in its text."""
    return from_status(response.status_code, _status(_redact(response.text, secrets)))


def from_status(http: int, status: dict) -> errors.PlatformError:
    """The error a google.rpc.Status says (`http`: the HTTP status it came with)."""
    failures = _failure_errors(status)
    if failures:
        return _from_failure(failures, status)
    return _from_status(http, status)


def _status(text: str) -> dict:
    try:
        body = json.loads(text, parse_float=Decimal)
    except ValueError:
        return {}
    if isinstance(body, list):  # searchStream: the error is an element of the answer's array
        body = next((item for item in body if isinstance(item, dict) and "error" in item), {})
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _failure_errors(status: dict) -> list[dict]:
    for detail in status.get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith(".GoogleAdsFailure"):
            return [e for e in detail.get("errors") or [] if isinstance(e, dict)]
    return []


def _from_failure(failures: list[dict], status: dict) -> errors.PlatformError:
    category, value = _code(failures[0])
    detail = "; ".join(_line(e) for e in failures[:_MAX_LISTED])
    if len(failures) > _MAX_LISTED:
        detail += f" (and {len(failures) - _MAX_LISTED} more)"
    detail = f"Google Ads: {detail}"
    if category == "quotaError":
        quota = (failures[0].get("details") or {}).get("quotaErrorDetails") or {}
        return errors.RateLimited(
            detail,
            code=value,
            retry_after=_duration(quota.get("retryDelay")) or _retry_info(status),
            scope="developer" if quota.get("rateScope") == "DEVELOPER" else "account",
        )
    if category == "requestError" and value == "EXPIRED_PAGE_TOKEN":
        return errors.ExpiredPageToken(detail, code=value)
    if value in _NOT_FOUND or category == "notFoundError":
        return errors.NotFound(detail, code=value)
    if category == "authenticationError":
        kind = errors.AuthorizationExpired if value in _REAUTHORISE else errors.PermissionDenied
        return kind(detail, code=value)
    if category == "authorizationError":
        return errors.PermissionDenied(detail, code=value)
    if category == "internalError":
        return errors.Unavailable(detail, code=value)
    return errors.InvalidRequest(detail, code=value)


def _from_status(http: int, status: dict) -> errors.PlatformError:
    """No GoogleAdsFailure (a proxy, the front end, a 5xx): the HTTP status and google.rpc code decide."""
    name = str(status.get("status", ""))
    message = str(status.get("message", "")).strip()
    detail = f"Google Ads answered HTTP {http}" + (f": {message}" if message else "") + (f" ({name})" if name else "")
    code = name or str(http)
    if http == 429 or name == "RESOURCE_EXHAUSTED":
        return errors.RateLimited(detail, code=code, retry_after=_retry_info(status), scope="account")
    if http >= 500:
        return errors.Unavailable(detail, code=code)
    if http == 401:
        return errors.AuthorizationExpired(detail, code=code)
    if http == 403:
        return errors.PermissionDenied(detail, code=code)
    if http == 404:
        return errors.NotFound(detail, code=code)
    return errors.InvalidRequest(detail, code=code)


def _code(error: dict) -> tuple[str, str]:
    code = error.get("errorCode") or {}
    if isinstance(code, dict) and code:
        category, value = next(iter(code.items()))
        return str(category), str(value)
    return "", ""


def _line(error: dict) -> str:
    message = str(error.get("message", "")).strip().rstrip(".") or "refused"
    _, value = _code(error)
    field = _field_path(error)
    return f"{message}{f' [{field}]' if field else ''} ({value or 'UNKNOWN'})"


def _field_path(error: dict) -> str:
    elements = ((error.get("location") or {}).get("fieldPathElements")) or []
    return ".".join(str(e.get("fieldName", "")) for e in elements if isinstance(e, dict) and e.get("fieldName"))


def _retry_info(status: dict) -> float | None:
    for detail in status.get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            return _duration(detail.get("retryDelay"))
    return None


def _duration(value) -> float | None:
    """A protobuf Duration as JSON ("41732s", "1.5s") in seconds."""
    match = _DURATION.match(str(value or ""))
    return float(match.group(1)) if match else None


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
