"""The people of tests/mfa: the tenant's policy on (the factories leave it off), a TOTP computed here (RFC 6238,
as an authenticator app does) and sign-in through allauth's pages."""

import base64
import hmac
import struct
import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tenants.models.tenant import default_mfa_roles
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def totp_code(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows for `secret` (base32) at `at`: HMAC-SHA1 of the 30-second counter.

    Without `at`, a code with at least a second of its window left: allauth accepts the current window only, and a
    code read in its last milliseconds was refused by the time the request checked it (a CI run failed so)."""
    if at is None:
        if (left := 30 - time.time() % 30) < 1:
            time.sleep(left)
        at = time.time()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@pytest.fixture
def mfa_on(tenant):
    """The tenant with a new tenant's policy: admin, approver and compliance need a second factor."""
    tenant.mfa_required_roles = default_mfa_roles()
    tenant.save(update_fields=["mfa_required_roles"])
    return tenant


def enrol_totp(user) -> str:
    """The person has an authenticator app (and recovery codes, as allauth gives them); returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def recovery_codes(user) -> list[str]:
    return RecoveryCodes.activate(user).get_unused_codes()


def sign_in_with_password(client, user, next_url="/admin/"):
    return client.post(f"{LOGIN}?next={next_url}", {"login": user.email, "password": PASSWORD})


def second_step(client, code):
    return client.post("/accounts/2fa/authenticate/", {"code": code})
