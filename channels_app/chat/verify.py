"""Widget tokens: an HMAC-signed (tenant, user) pair with an expiry, for embedding the chat on another site.

A token also carries a fingerprint of the user's password hash (Django's session auth
hash), so changing the password ends every token issued before, as it ends sessions.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from tenants.models import User

SALT = "walker.chat.widget"


@dataclass(frozen=True)
class WidgetToken:
    token: str
    expires_at: datetime


def _fingerprint(user) -> str:
    return user.get_session_auth_hash()[:16]


def issue(user) -> WidgetToken:
    token = signing.dumps({"t": str(user.tenant_id), "u": str(user.pk), "p": _fingerprint(user)}, salt=SALT)
    return WidgetToken(token, timezone.now() + timedelta(seconds=settings.CHAT_TOKEN_TTL_SECONDS))


def user_for(token: str):
    """The active user the token names, if it is genuine, unexpired and still matches their tenant and password."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=settings.CHAT_TOKEN_TTL_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(claims, dict):
        return None
    user = User.objects.filter(pk=claims.get("u"), tenant_id=claims.get("t"), is_active=True).first()
    if user is None or not constant_time_compare(str(claims.get("p", "")), _fingerprint(user)):
        return None
    return user
