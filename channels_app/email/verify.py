"""Is a post really SendGrid's? Inbound Parse carries HTTP basic auth; the Event Webhook is signed.

An event post is refused when its signature does not verify with SENDGRID_WEBHOOK_PUBLIC_KEY, when its
timestamp is more than SENDGRID_EVENT_MAX_AGE_SECONDS away, or when the same signed timestamp and body
were seen before.
"""

import base64
import binascii
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from sendgrid.helpers.eventwebhook import EventWebhook

from core.errors import WalkerError
from core.metrics import WEBHOOK_SIGNATURE_FAILURES


def inbound_authorized(request: HttpRequest) -> bool:
    """Inbound Parse signs nothing: it posts with the HTTP basic auth credentials configured in SendGrid."""
    if _basic_auth_matches(request):
        return True
    WEBHOOK_SIGNATURE_FAILURES.labels(webhook="sendgrid_inbound", reason="unauthorized").inc()
    return False


def _basic_auth_matches(request: HttpRequest) -> bool:
    user, password = settings.SENDGRID_INBOUND_USER, settings.SENDGRID_INBOUND_PASSWORD
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if not (user and password) or scheme.lower() != "basic":
        return False
    try:
        given_user, _, given_password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return constant_time_compare(given_user, user) & constant_time_compare(given_password, password)


class Refused(WalkerError):
    """A post that cannot be trusted; its code answers its status (core.errors)."""


def signed_events(body: bytes, signature: str, timestamp: str) -> None:
    """An Event Webhook post, checked on its raw body; raises Refused."""
    try:
        _check_signed_events(body, signature, timestamp)
    except Refused as refused:
        WEBHOOK_SIGNATURE_FAILURES.labels(webhook="sendgrid_events", reason=refused.code).inc()
        raise


def _check_signed_events(body: bytes, signature: str, timestamp: str) -> None:
    if not signature or not timestamp:
        raise Refused("unsigned", "The post carries no SendGrid signature headers.")
    if not settings.SENDGRID_WEBHOOK_PUBLIC_KEY:
        raise Refused("not_configured", "SENDGRID_WEBHOOK_PUBLIC_KEY is not set; no post can be verified.")
    try:
        sent_at = int(timestamp)
        valid = EventWebhook(settings.SENDGRID_WEBHOOK_PUBLIC_KEY).verify_signature(
            body.decode("utf-8"), signature, timestamp
        )
    except (ValueError, TypeError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise Refused("bad_signature", "The signature does not verify.")
    if abs(time.time() - sent_at) > settings.SENDGRID_EVENT_MAX_AGE_SECONDS:
        raise Refused("stale", "The post is too old (or from the future).")
    # Seen before: keyed on what was signed, not on the signature's text, which has other spellings that verify
    # as well (ECDSA's (r, n - s), base64 with characters the decoder skips).
    seen = f"sendgrid-event-post:{hashlib.sha256(f'{sent_at}.'.encode() + body).hexdigest()}"
    if not cache.add(seen, 1, timeout=2 * settings.SENDGRID_EVENT_MAX_AGE_SECONDS):
        raise Refused("replayed", "This signed post was received before.")
