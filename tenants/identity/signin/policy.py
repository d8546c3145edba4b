"""Who must have a second factor, and whether this session has shown one."""

import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.internal.flows import trust
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

# The factors that count as enrolled: recovery codes alone only back one of these up.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# What a session still owes the policy (unmet): a factor to add, or the factor to show.
ENROLMENT_REQUIRED = "mfa_enrolment_required"
FACTOR_REQUIRED = "mfa_required"
# Remembered for the session once a trusted browser satisfied the policy, so it is not recomputed per request.
TRUSTED_KEY = "walker_mfa_trusted_browser"


def mfa_required(user) -> bool:
    """By the person's role in their tenant's policy; a platform superuser (no tenant): MFA_REQUIRED_FOR_SUPERUSERS."""
    if not user.is_authenticated:
        return False
    if user.tenant_id is None:
        return user.is_superuser and settings.MFA_REQUIRED_FOR_SUPERUSERS
    return user.role in user.tenant.mfa_required_roles


def is_enrolled(user) -> bool:
    return is_mfa_enabled(user, SECOND_FACTORS)


def trust_days(user) -> int:
    """How long a trusted browser skips the second factor: the tenant's days, never more than the cookie lives."""
    most = settings.MFA_TRUST_COOKIE_AGE.days
    return most if user.tenant_id is None else min(user.tenant.mfa_trust_days, most)


def browser_trusted(request, user) -> bool:
    """allauth's trust cookie names this person's current factors and was issued within the tenant's days."""
    days = trust_days(user)
    if not days:
        return False
    fingerprint = trust.create_config_fingerprint(user)
    oldest = time.time() - days * 86400
    return any(t.fingerprint == fingerprint and t.at > oldest for t in trust.decode_trust_cookie(request))


def used_second_factor(request, user) -> bool:
    """This session signed in, or re-authenticated, with a code, a recovery code or a passkey."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def unmet(request, user) -> str | None:
    """What this session still owes the person's policy: None, ENROLMENT_REQUIRED or FACTOR_REQUIRED.

    `request` is an HTTP request, or anything with its `session` and `COOKIES` (a socket's scope). Enrolment comes
    first: factors an admin reset no longer count, whatever the session showed.
    """
    if not mfa_required(user):
        return None
    if not is_enrolled(user):
        return ENROLMENT_REQUIRED
    if used_second_factor(request, user) or request.session.get(TRUSTED_KEY) == str(user.pk):
        return None
    if browser_trusted(request, user):
        request.session[TRUSTED_KEY] = str(user.pk)
        return None
    return FACTOR_REQUIRED
