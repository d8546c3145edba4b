"""How a call to an ad platform fails, in words the console and the task that made the call can act on.

Every client (adplatforms.google, adplatforms.meta) raises these and nothing else for the platform's answers;
`detail` is the platform's own message, made readable, never a token or a secret.
"""

from contextlib import contextmanager

import httpx


class PlatformError(Exception):
    """A call failed; `detail` says why in plain words (the platform's message, without secrets)."""

    retryable = False

    def __init__(self, detail: str, *, code: str = ""):
        super().__init__(detail)
        self.detail = detail
        self.code = code  # the platform's own error code or reason, e.g. "190", "RESOURCE_EXHAUSTED"


class AuthorizationExpired(PlatformError):
    """The refresh token or access token was revoked or expired (Google `invalid_grant`, Meta 190): someone
    must authorise Walker again. Never retried."""


class PermissionDenied(PlatformError):
    """The credentials work but may not read or change this account or object."""


class InvalidRequest(PlatformError):
    """The platform refused the request as invalid (a validation error): retrying the same will not help."""


class NotFound(PlatformError):
    """The account, campaign or budget does not exist (or no longer does) on the platform."""


class RateLimited(PlatformError):
    """The platform refused the call before doing anything because of a quota or throttle; `retry_after` is the
    delay it asked for, in seconds (None: it did not say). `scope` says whose quota ran out: "developer" (a
    Google developer token, shared by every tenant), "app" (a Meta app), or "account" (one ad account)."""

    retryable = True

    def __init__(self, detail: str, *, code: str = "", retry_after: float | None = None, scope: str = "account"):
        super().__init__(detail, code=code)
        self.retry_after = retry_after
        self.scope = scope


class Unavailable(PlatformError):
    """A timeout, a network failure or a 5xx: the platform may or may not have done what was asked, so a write
    is reconciled by reading back before anything is sent again."""

    retryable = True


class ExpiredPageToken(PlatformError):
    """A page token outlived its life (Google `EXPIRED_PAGE_TOKEN`): the listing starts over."""

    retryable = True


@contextmanager
def unavailable_when_unreachable(service: str, timeout: float):
    """A call to `service` that times out or cannot connect raises Unavailable saying so (the httpx error, which
    may carry the request, is not chained)."""
    try:
        yield
    except httpx.TimeoutException:
        raise Unavailable(f"{service} did not answer within {timeout:g} s", code="timeout") from None
    except httpx.TransportError as err:
        raise Unavailable(f"Walker could not reach {service} ({type(err).__name__})", code="network") from None
