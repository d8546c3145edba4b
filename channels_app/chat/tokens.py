"""Widget tokens: an HMAC-signed (tenant, user) pair with an expiry, for embedding the chat on another site."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from tenants.models import User

SALT = "walker.chat.widget"


@dataclass(frozen=True)
class WidgetToken:
    token: str
    expires_at: datetime


def issue(user) -> WidgetToken:
    token = signing.dumps({"t": str(user.tenant_id), "u": str(user.pk)}, salt=SALT)
    return WidgetToken(token, timezone.now() + timedelta(seconds=settings.CHAT_TOKEN_TTL_SECONDS))


def user_for(token: str):
    """The active user the token names, if it is genuine, unexpired and still matches their tenant; else None."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.CHAT_TOKEN_TTL_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(claims, dict):
        return None
    return User.objects.filter(pk=claims.get("u"), tenant_id=claims.get("t"), is_active=True).first()
