"""Graph API errors as `adplatforms.errors`, in words the console can show (Meta's own, never the token).

Graph answers `{"error": {"message", "type", "code", "error_subcode", "error_user_msg", "fbtrace_id",
"is_transient"}}` (developers.facebook.com/docs/graph-api/guides/error-handling, marketing-api/error-reference):

- 4 (the app's quota), 17, 32, 613 and 80000-80014 (business use case quotas: 80000 insights, 80004 ads
  management, ...) -> RateLimited; the delay is what the usage headers of the same answer name.
- 190 (token expired or revoked), 102 (session), 463 and 467 (expired, invalid) -> AuthorizationExpired.
- 10 and 200-299 -> PermissionDenied.
- 100 with subcode 33 (no such object, or not visible) and 803 -> NotFound; other 100s -> InvalidRequest in
  Meta's words for people (`error_user_msg`) when it gave them.
- 1 and 2 (unknown or temporary), anything `is_transient`, and 5xx -> Unavailable.
"""

import logging

from adplatforms import errors

logger = logging.getLogger(__name__)

APP_QUOTA = 4
ACCOUNT_QUOTAS = frozenset({17, 32, 613, *range(80000, 80015)})
TOKEN_CODES = frozenset({102, 190, 463, 467})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
NOT_FOUND = 803
INVALID_PARAMETER = 100
NO_SUCH_OBJECT = 33  # subcode of 100: "Object with ID ... does not exist, cannot be loaded due to missing permissions"
TRANSIENT_CODES = frozenset({1, 2})

TOKEN_REFUSED = "Meta refused the access token: it expired or was revoked. Connect the account again."


def from_graph(status: int, body, *, retry_after: int | None, secret: str) -> errors.PlatformError:
    """The error for an answer with HTTP `status` and JSON `body` (None when it was not JSON); `secret` (the
    token) is struck from anything Meta wrote back."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return _without_graph_error(status, retry_after)
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = _scrub(str(error.get("error_user_msg") or error.get("message") or "no message"), secret)
    ref = f"{code}/{subcode}" if subcode else str(code)
    detail = f"{message} (Meta error {ref})"
    logger.info("Meta answered HTTP %s, error %s, trace %s", status, ref, error.get("fbtrace_id", "-"))

    if code == APP_QUOTA:
        return errors.RateLimited(detail, code=ref, retry_after=retry_after, scope="app")
    if code in ACCOUNT_QUOTAS:
        return errors.RateLimited(detail, code=ref, retry_after=retry_after, scope="account")
    if code in TOKEN_CODES:
        return errors.AuthorizationExpired(f"{TOKEN_REFUSED} (Meta error {ref})", code=ref)
    if code in PERMISSION_CODES:
        return errors.PermissionDenied(detail, code=ref)
    if code == NOT_FOUND or (code == INVALID_PARAMETER and subcode == NO_SUCH_OBJECT):
        return errors.NotFound(detail, code=ref)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        return errors.Unavailable(detail, code=ref)
    return errors.InvalidRequest(detail, code=ref)


def _without_graph_error(status: int, retry_after: int | None) -> errors.PlatformError:
    if status == 429:
        return errors.RateLimited("Meta asked Walker to slow down (HTTP 429)", code="429", retry_after=retry_after)
    if status >= 500:
        return errors.Unavailable(f"Meta answered HTTP {status} without an error description", code=str(status))
    return errors.InvalidRequest(f"Meta refused the request (HTTP {status}) without saying why", code=str(status))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "[token]") if secret else text
