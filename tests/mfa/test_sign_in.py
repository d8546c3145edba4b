"""Signing in with a second factor through allauth's pages: enrolling an authenticator app, a code, a recovery
code, "trust this browser" for the tenant's days, and the lockout after wrong codes."""

import time

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt

from tenants.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.mfa.conftest import enrol_totp, recovery_codes, second_step, sign_in_with_password, totp_code


@pytest.fixture
def approver(mfa_on):
    return UserFactory(tenant=mfa_on, role=Role.APPROVER, email="approver@acme.test")


def test_enrolling_an_authenticator_app_through_the_pages_opens_the_console(transactional_db, client, approver):
    """On a database that commits, as in production: allauth announces the new factor after its commit, during
    the request, and the session then records it (tenants.identity.signin.receivers)."""
    assert sign_in_with_password(client, approver)["Location"] == "/admin/"
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/?next=")  # no factor yet: enrol first

    asked = client.get("/accounts/2fa/totp/activate/")  # adding a factor asks for the password again (allauth)
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=approver, type=Authenticator.Type.TOTP).exists()
    stored = Authenticator.objects.get(user=approver, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret and secret not in stored  # encrypted at rest (tenants.crypto)
    assert client.get("/admin/").status_code == 200  # the code just typed counts for this session


def test_signing_in_asks_for_the_code_and_a_right_one_opens_the_console(client, approver):
    secret = enrol_totp(approver)
    response = sign_in_with_password(client, approver)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in before the second step

    assert second_step(client, "000000" if totp_code(secret) != "000000" else "111111").status_code == 200
    assert "_auth_user_id" not in client.session
    signed_in = second_step(client, totp_code(secret))
    assert signed_in.status_code == 302 and signed_in["Location"] in ("/admin/", "/accounts/2fa/trust/")
    client.post("/accounts/2fa/trust/", {"action": "skip"})
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("policy_on", [True, False])
def test_a_factor_one_enrolled_is_asked_whatever_the_policy(client, tenant, policy_on):
    """The sign-in page asks anyone who has a factor, as the API's sign-in does (tests/mfa/test_api_sign_in.py)."""
    tenant.mfa_required_roles = [Role.ADMIN] if policy_on else []
    tenant.save(update_fields=["mfa_required_roles"])
    member = UserFactory(tenant=tenant, role=Role.MEMBER)  # a role no policy here names
    secret = enrol_totp(member)
    assert sign_in_with_password(client, member, next_url="/chat/")["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert second_step(client, totp_code(secret)).status_code == 302  # on to "trust this browser"
    client.post("/accounts/2fa/trust/", {"action": "skip"})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_recovery_code_signs_in_once(client, approver):
    enrol_totp(approver)
    code = recovery_codes(approver)[0]
    sign_in_with_password(client, approver)
    second_step(client, code)
    client.post("/accounts/2fa/trust/", {"action": "skip"})
    assert client.get("/admin/").status_code == 200

    client.post("/accounts/logout/")
    sign_in_with_password(client, approver)
    assert second_step(client, code).status_code == 200  # used: the form again
    assert "_auth_user_id" not in client.session


def _sign_in_trusting(client, user, secret, *, trust=True):
    sign_in_with_password(client, user)
    response = second_step(client, totp_code(secret))
    if trust:
        assert response["Location"] == "/accounts/2fa/trust/"
        page = client.get("/accounts/2fa/trust/")
        assert "Trust for 30 days" in page.content.decode()
        client.post("/accounts/2fa/trust/", {"action": "trust"})
    client.post("/accounts/logout/")


def test_a_trusted_browser_skips_the_code_for_the_tenants_days_then_asks_again(client, approver, monkeypatch):
    secret = enrol_totp(approver)
    _sign_in_trusting(client, approver, secret)

    assert sign_in_with_password(client, approver)["Location"] == "/admin/"  # no code asked
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")

    later = time.time() + 31 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert sign_in_with_password(client, approver)["Location"] == "/accounts/2fa/authenticate/"


def test_a_tenant_that_trusts_no_browser_never_offers_it(client, approver, mfa_on):
    mfa_on.mfa_trust_days = 0
    mfa_on.save()
    secret = enrol_totp(approver)
    sign_in_with_password(client, approver)
    assert second_step(client, totp_code(secret))["Location"] == "/admin/"  # straight in, no trust page


def test_wrong_codes_lock_the_second_step_even_for_the_right_code(client, approver):
    secret = enrol_totp(approver)
    sign_in_with_password(client, approver)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    for _ in range(5):
        assert second_step(client, wrong).status_code == 200
    locked = second_step(client, totp_code(secret))
    assert locked.status_code == 200 and "Too many failed" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_password_form_is_locked_by_axes_alone(client, approver, settings):
    """allauth's own password limit is off (5 misses would lock it before axes' 20): one lockout per form."""
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"login": approver.email, "password": f"guess-{n}"})
        assert response.status_code == 200 and b'data-testid="login-errors"' in response.content
    assert sign_in_with_password(client, approver).status_code == 302  # the right password still works
    assert not AccessAttempt.objects.exists()  # and clears the misses (AXES_RESET_ON_SUCCESS)


def test_a_passkey_sign_in_is_offered_on_the_sign_in_page(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="passkey_login"' in page and 'action="/accounts/2fa/webauthn/login/' in page


def test_spanish_pages(client, approver):
    client.cookies["django_language"] = "es"
    page = client.get("/accounts/login/").content.decode()
    assert "Iniciar sesión" in page or "Inicia sesión" in page
    enrol_totp(approver)
    sign_in_with_password(client, approver)
    assert 'lang="es"' in client.get("/accounts/2fa/authenticate/").content.decode()


def test_the_password_is_still_checked_first(client, approver):
    enrol_totp(approver)
    response = client.post("/accounts/login/", {"login": approver.email, "password": PASSWORD + "x"})
    assert response.status_code == 200 and b'data-testid="login-errors"' in response.content


@pytest.mark.parametrize("path", ["/accounts/signup/", "/accounts/confirm-email/", "/accounts/password/set/"])
def test_allauths_signup_and_email_pages_are_not_served(client, path, db):
    """Accounts are made by invitation, and allauth's email pages would keep addresses in clear: `/accounts/email/`
    is Walker's own page, and password reset is allauth's through Walker's lookup (tests/invitations)."""
    assert client.get(path).status_code == 404
