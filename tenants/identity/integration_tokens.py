"""Integration tokens: made (the secret shown once), found from what a client sends, revoked.

The secret is `wk_` and 43 random URL-safe characters; the row keeps its first characters to show (`prefix`) and
the HMAC of the whole under PII_HASH_KEY (tenants.crypto), which a lookup compares. The random part is too long to
guess, so a keyed hash (one query, no slow password hasher on every request) is enough; a copy of the database
without the key cannot even test a guess.
"""

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from core.errors import WalkerError
from tenants import crypto
from tenants.models import IntegrationToken, User

PREFIX = "wk_"
SHOWN = 11  # "wk_" and 8 characters: enough to tell tokens apart in a list, far from enough to guess the rest
DEFAULT_DAYS = 90
MAX_DAYS = 365
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often: not one write per request


def secret_hash(secret: str) -> str:
    return crypto.keyed_hash(f"integration-token:{secret}")


def looks_like_one(credential: str) -> bool:
    return credential.startswith(PREFIX)


def create_token(owner: User, *, name: str, scopes, days: int = DEFAULT_DAYS) -> tuple[IntegrationToken, str]:
    """A new token of `owner` and its secret, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise WalkerError("invalid_token_request", "Give the token a name (what uses it).")
    if len(name) > 100:
        raise WalkerError("invalid_token_request", "A token's name has at most 100 characters.")
    known = set(IntegrationToken.Scope.values)
    if not scopes or not isinstance(scopes, list | tuple) or not set(scopes) <= known:
        raise WalkerError("invalid_token_request", f"Scopes: one or more of {', '.join(sorted(known))}.")
    if {IntegrationToken.Scope.REQUEST, IntegrationToken.Scope.DECIDE} <= set(scopes):
        raise WalkerError("invalid_token_request", "A token that requests approvals cannot decide them too.")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise WalkerError("invalid_token_request", f"A token lasts 1 to {MAX_DAYS} days.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = IntegrationToken.objects.create(
        tenant=owner.tenant,
        owner=owner,
        name=name,
        scopes=[scope for scope in IntegrationToken.Scope.values if scope in scopes],
        prefix=secret[:SHOWN],
        secret_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, secret


def revoke_token(token: IntegrationToken) -> bool:
    """Revoke it for good; False when it already was."""
    now = timezone.now()
    done = IntegrationToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.revoked_at = token.revoked_at or now
    return bool(done)


def authenticate(secret: str) -> IntegrationToken:
    """The live token the secret belongs to (its owner and tenant loaded), or a refusal saying why not."""
    token = IntegrationToken.objects.select_related("owner__tenant").filter(secret_hash=secret_hash(secret)).first()
    if token is None:
        raise WalkerError("token_not_valid", "This integration token is not valid.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise WalkerError("token_revoked", "This integration token was revoked.")
    if token.expires_at <= now:
        raise WalkerError("token_expired", "This integration token has expired: make a new one.")
    owner = token.owner
    if not owner.is_active or owner.tenant_id != token.tenant_id:
        raise WalkerError("account_inactive", "The account this integration token belongs to is disabled or moved.")
    _touch(token, now)
    return token


def _touch(token: IntegrationToken, now) -> None:
    """Record the use, unless one was recorded in the last minute (by this request's token or a concurrent one)."""
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    if IntegrationToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
