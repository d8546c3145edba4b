"""The API's sign-in tokens (djangorestframework-simplejwt): issue a pair, rotate a refresh token once, revoke one
or all of a person's, and flush the expired ones.

Every refresh token is an `OutstandingToken` row; using one (rotation) or signing out blacklists it. Rotation
locks the row, so one refresh token sent twice at once gives one new pair and one refusal. Access tokens are
short-lived and not stored: they end with their lifetime, at once on a new password (`CHECK_REVOKE_TOKEN`) or
deactivation (the user is loaded on every request), and a role change applies to the next request.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from core.errors import WalkerError
from tenants.models import User

REFRESH_AGAIN = "Sign in again (POST /api/v1/auth/token/)."
FLUSH_BATCH = 1000


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str

    def as_answer(self) -> dict:
        return {
            "access": self.access,
            "refresh": self.refresh,
            "token_type": "Bearer",
            "expires_in": int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        }


def issue_pair(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)  # stored as outstanding
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _jti(raw: str) -> str:
    """The refresh token's id, its signature, expiry and type checked (its blacklisting is checked under the lock)."""
    try:
        claims = token_backend.decode(raw, verify=True)
    except TokenBackendExpiredToken:
        raise WalkerError("token_expired", f"This refresh token has expired. {REFRESH_AGAIN}") from None
    except TokenBackendError:
        raise WalkerError("token_not_valid", "This is not a valid refresh token.") from None
    if claims.get(api_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type or not claims.get(api_settings.JTI_CLAIM):
        raise WalkerError("token_not_valid", "This is not a refresh token.")
    return str(claims[api_settings.JTI_CLAIM])


def _locked_row(raw: str) -> OutstandingToken:
    jti = _jti(raw)
    row = OutstandingToken.objects.select_for_update(of=("self",)).select_related("user").filter(jti=jti).first()
    if row is None:
        raise WalkerError("token_not_valid", f"This refresh token is unknown. {REFRESH_AGAIN}")
    return row


def rotate(raw: str) -> TokenPair:
    """A new pair for a refresh token used for the first time; the used one is blacklisted."""
    with transaction.atomic():
        row = _locked_row(raw)
        if BlacklistedToken.objects.filter(token=row).exists():
            raise WalkerError("token_revoked", f"This refresh token was revoked or already used. {REFRESH_AGAIN}")
        user = row.user
        if user is None or not user.is_active:
            raise WalkerError("account_inactive", "This account is disabled or no longer exists.")
        BlacklistedToken.objects.create(token=row)
        return issue_pair(user)


def revoke(raw: str) -> None:
    """Sign this client out: its refresh token is blacklisted (again is fine). An expired one is already dead."""
    with transaction.atomic():
        BlacklistedToken.objects.get_or_create(token=_locked_row(raw))


def revoke_all(user: User) -> int:
    """Blacklist every refresh token of the person that is still good; how many were."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    rows = [BlacklistedToken(token_id=pk) for pk in live.values_list("pk", flat=True)]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent revocation got there first
    return len(rows)


def flush_expired(batch: int = FLUSH_BATCH) -> int:
    """Delete expired refresh tokens (and their blacklisting), as simplejwt's `flushexpiredtokens` does, in batches
    claimed with SKIP LOCKED: two runs at once share the work instead of waiting on each other. How many went."""
    flushed = 0
    while True:
        with transaction.atomic():
            claimed = list(
                OutstandingToken.objects.filter(expires_at__lte=timezone.now())
                .order_by("pk")  # not the model's ordering by user: no join to lock through
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not claimed:
                return flushed
            BlacklistedToken.objects.filter(token_id__in=claimed).delete()
            flushed += OutstandingToken.objects.filter(pk__in=claimed).delete()[0]
