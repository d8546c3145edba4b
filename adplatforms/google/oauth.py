"""Access tokens for the Google Ads API: the connection's refresh token exchanged at Google's OAuth token
endpoint (RFC 6749 §6), kept in memory by one client until shortly before it expires."""

import logging
import threading
import time

import httpx
from django.conf import settings

from adplatforms import errors

logger = logging.getLogger(__name__)

EARLY_REFRESH_SECONDS = 60  # a token is replaced this long before Google says it expires

# The token endpoint's error codes that mean the saved authorisation is no good (RFC 6749 §5.2).
_REFUSED = {
    "invalid_grant": (
        "Google refused the saved authorisation: the refresh token was revoked or expired. Connect the account again."
    ),
    "invalid_client": (
        "Google does not know the saved OAuth client (invalid_client): check the client id and secret, "
        "then connect the account again."
    ),
    "unauthorized_client": (
        "Google does not let the saved OAuth client use this refresh token (unauthorized_client): "
        "connect the account again with the same client."
    ),
}


class TokenSource:
    """One account's access token, fetched when first needed and again when it is about to expire; threads
    sharing a client wait for one fetch rather than each making their own."""

    def __init__(self, http: httpx.Client, *, client_id: str, client_secret: str, refresh_token: str, clock=None):
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._clock = clock or time.monotonic
        self._token = ""
        self._good_until = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if not self._token or self._clock() >= self._good_until:
                self._fetch()
            return self._token

    def forget(self, token: str) -> None:
        """Google said `token` is no longer good: the next call fetches another (unless a thread already did)."""
        with self._lock:
            if self._token == token:
                self._token = ""

    def _fetch(self) -> None:
        if not (self._client_id and self._client_secret and self._refresh_token):
            raise errors.AuthorizationExpired(
                "No complete Google authorisation is saved for this account (OAuth client id, client secret and "
                "refresh token are needed). Connect the account again.",
                code="missing_credentials",
            )
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
        }
        started = self._clock()
        with errors.unavailable_when_unreachable("Google's sign-in service", settings.AD_PLATFORM_TIMEOUT):
            response = self._http.post(settings.GOOGLE_OAUTH_TOKEN_URL, data=form)
        body = _json(response)
        if response.status_code == 200 and body.get("access_token"):
            self._token = body["access_token"]
            lifetime = _seconds(body.get("expires_in"))
            self._good_until = started + max(lifetime - EARLY_REFRESH_SECONDS, 0)
            logger.info("google oauth: new access token, valid %s s", lifetime)
            return
        code = str(body.get("error", ""))
        logger.warning("google oauth: token refused, HTTP %s %s", response.status_code, code)
        if code in _REFUSED:
            raise errors.AuthorizationExpired(_REFUSED[code], code=code)
        if response.status_code >= 500 or response.status_code == 429:
            raise errors.Unavailable(
                f"Google's sign-in service answered HTTP {response.status_code}", code=str(response.status_code)
            )
        description = str(body.get("error_description", "")) or f"HTTP {response.status_code}"
        raise errors.InvalidRequest(
            f"Google's sign-in service refused the token request: {description} ({code or response.status_code})",
            code=code or str(response.status_code),
        )


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _seconds(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
