"""Signed links that turn a person's daily brief off without signing in (and RFC 8058 one-click)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "walker.briefs.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 90  # a link in a brief works for 90 days


def unsubscribe_url(user) -> str:
    token = signing.dumps(str(user.pk), salt=SALT)
    return settings.PUBLIC_BASE_URL + reverse("briefs:unsubscribe", args=[token])


def user_id_of(token: str) -> str:
    """The user the link was made for; signing.SignatureExpired or BadSignature when it is not a valid one."""
    return signing.loads(token, salt=SALT, max_age=MAX_AGE)
