"""Twilio's X-Twilio-Signature, checked with the SDK's RequestValidator against the public URL.

Twilio signs the URL it requested (scheme, host and path as configured in its console,
plus the query) and the form fields. Behind a TLS-terminating proxy Django sees http
and an internal host, so the URL is rebuilt from PUBLIC_BASE_URL, never from the request.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from twilio.request_validator import RequestValidator

from core.metrics import WEBHOOK_SIGNATURE_FAILURES


def signing_token() -> str:
    """The Twilio auth token; with the console provider and none set, a key derived from SECRET_KEY.

    The derived key lets `simulate_whatsapp` sign requests the running server accepts
    without a Twilio account; no real Twilio request could carry it.
    """
    if settings.TWILIO_AUTH_TOKEN:
        return settings.TWILIO_AUTH_TOKEN
    return salted_hmac("walker.whatsapp.console-signing", "token").hexdigest()


def public_url(request: HttpRequest) -> str:
    return f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"


def is_signed(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        WEBHOOK_SIGNATURE_FAILURES.labels(webhook="twilio", reason="unsigned").inc()
        return False
    if not RequestValidator(signing_token()).validate(public_url(request), request.POST, signature):
        WEBHOOK_SIGNATURE_FAILURES.labels(webhook="twilio", reason="bad_signature").inc()
        return False
    return True


def sign(url: str, params: dict) -> str:
    """The signature Twilio would send for a POST of `params` to `url` (used by simulate_whatsapp)."""
    return RequestValidator(signing_token()).compute_signature(url, params)
