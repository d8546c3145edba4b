"""Is this request Slack's, for a workspace Walker knows, and new? Asked before anything in it is acted on.

Each workspace has its own signing secret, so the body is read for its team id only to pick the secret; nothing of
it is used before `SignatureVerifier` (slack_sdk) has checked the signature over the raw body and the timestamp
within Slack's five minutes. That unsigned team id reaches the database only when it is shaped as Slack's are:
anything else (a NUL, a lone surrogate, a megabyte of text, a number) is refused as an unknown team, unqueried.
A verified request is then seen once: its signature is kept in the cache for longer than the window, and the same
one again is refused as a replay.
"""

import hashlib
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.core.cache import cache
from slack_sdk.signature import SignatureVerifier

from channels_app.slack.models import TEAM_ID, SlackWorkspace

WINDOW_SECONDS = 5 * 60  # Slack's own
SEEN_SECONDS = 2 * WINDOW_SECONDS  # past the window either side, so a replay is refused by the clock or by this
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds (ASCII digits: int() reads others, and refuses 4,300 of them)


class Refused(Exception):
    """Not a request to act on: `status` is 401 (not signed as Slack signs) or 403 (signed, but not by a workspace
    Walker knows, forged, or seen before), 503 when the cache that tells a replay is down; `reason` is for the log,
    never for the caller."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Verified:
    workspace: SlackWorkspace
    payload: dict


def verify(body: bytes, timestamp: str | None, signature: str | None, *, now: float | None = None) -> Verified:
    if not timestamp or not signature:
        raise Refused(401, "missing signature headers")
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        raise Refused(401, "malformed signature headers")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise Refused(401, "timestamp outside the five-minute window")
    payload = _payload(body)
    team_id = _team_id(payload)
    workspace = None
    if TEAM_ID.fullmatch(team_id):
        workspace = SlackWorkspace.objects.select_related("tenant").filter(team_id=team_id).first()
    if workspace is None:
        raise Refused(403, "no workspace with this team id")
    verifier = SignatureVerifier(workspace.signing_secret, clock=_Clock(now))
    if not verifier.is_valid(body, timestamp, signature):
        raise Refused(403, "signature does not match")
    key = "slack:seen:" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
    try:
        first = cache.add(key, 1, SEEN_SECONDS)
    except Exception as error:  # the cache is down: a replay could not be told from a first request
        raise Refused(503, f"replay check unavailable: {type(error).__name__}") from error
    if not first:
        raise Refused(403, "replayed request")
    return Verified(workspace, payload)


class _Clock:
    def __init__(self, now: float):
        self._now = now

    def now(self) -> float:
        return self._now


def _payload(body: bytes) -> dict:
    """Interactions come form-encoded with one field, `payload`, holding JSON. Anything else reads as empty (and
    finds no workspace)."""
    try:
        fields = parse_qs(body.decode(), strict_parsing=True)
        payload = json.loads(fields["payload"][0])
    except (UnicodeDecodeError, ValueError, KeyError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _team_id(payload: dict) -> str:
    team = payload.get("team")
    team_id = team.get("id") if isinstance(team, dict) else None
    if not team_id:
        user = payload.get("user")
        team_id = user.get("team_id") if isinstance(user, dict) else None
    return team_id if isinstance(team_id, str) else ""
