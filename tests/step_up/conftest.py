"""Sessions that did or did not show a second factor, signed in through allauth's own pages (tests/mfa), and the
tenant's step-up level placed at or above an approval's risk."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tenants.identity.signin.step_up import LEVELS
from tests.mfa.conftest import enrol_totp, second_step, sign_in_with_password, totp_code

WINDOW_MINUTES = 15


def place_level(tenant, risk_level: str, *, below: bool = False) -> None:
    """The tenant's step-up level at the approval's risk, or one above it so the approval is below the level."""
    index = LEVELS.index(risk_level) + (1 if below else 0)
    assert index < len(LEVELS), "an approval below the level needs a risk under critical"
    tenant.step_up_risk_level = LEVELS[index]
    tenant.step_up_minutes = WINDOW_MINUTES
    tenant.save(update_fields=["step_up_risk_level", "step_up_minutes"])


def signed_in_with_code(user, client=None) -> Client:
    """Password, then a code from the person's authenticator app: the session records a "mfa" step (totp)."""
    client = client or Client()
    secret = getattr(user, "_totp_secret", None) or enrol_totp(user)
    user._totp_secret = secret
    sign_in_with_password(client, user)
    second_step(client, totp_code(secret))
    client.post("/accounts/2fa/trust/", {"action": "skip"})
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def signed_in_trusted_browser(user) -> Client:
    """A browser the person trusted: its next sign-in is the password alone, and the session shows no factor."""
    client = Client()
    secret = enrol_totp(user)
    user._totp_secret = secret
    sign_in_with_password(client, user)
    second_step(client, totp_code(secret))
    client.post("/accounts/2fa/trust/", {"action": "trust"})
    client.post("/accounts/logout/")
    assert sign_in_with_password(client, user).status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def later(minutes: int):
    """Time moves on past (or within) the window: allauth's records and Walker's clock alike."""
    return time_machine.travel(timezone.now() + timezone.timedelta(minutes=minutes), tick=True)


@pytest.fixture
def session_as():
    """session_as(user, state): a signed-in browser whose second factor is fresh, stale or only a trusted browser."""
    travels = []

    def make(user, state: str) -> Client:
        if state == "trusted":
            return signed_in_trusted_browser(user)
        client = signed_in_with_code(user)
        if state == "stale":
            travel = later(WINDOW_MINUTES + 1)
            travel.start()
            travels.append(travel)
        return client

    yield make
    for travel in travels:
        travel.stop()
