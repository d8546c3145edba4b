"""A tenant admin resets a colleague's factors (audited, same tenant only, never their own); API token callers,
probes, webhooks and static files are not asked for a second factor."""

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from core.errors import WalkerError
from tenants.identity.signin.resets import reset_factors
from tenants.roles import Role
from tests.factories import UserFactory
from tests.mfa.conftest import enrol_totp, recovery_codes

CHANGELIST = "/admin/tenants/user/"


@pytest.fixture
def admin_with_factor(client, mfa_on):
    """A tenant admin signed in with their second factor, as after allauth's sign-in."""
    admin = UserFactory(tenant=mfa_on, role=Role.ADMIN, email="admin@acme.test")
    enrol_totp(admin)
    client.force_login(admin)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, admin, method="mfa", type="totp")
    session.save()
    return admin


def test_an_admin_resets_a_colleagues_factors_with_an_audit_record(client, mfa_on, admin_with_factor):
    colleague = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    enrol_totp(colleague)
    recovery_codes(colleague)
    response = client.post(
        CHANGELIST, {"action": "reset_second_factors", "_selected_action": [colleague.pk]}, follow=True
    )
    assert response.status_code == 200 and "Second factors reset for 1 people" in response.content.decode()
    assert not Authenticator.objects.filter(user=colleague).exists()
    entry = LogEntry.objects.get(object_id=str(colleague.pk))
    assert entry.user_id == admin_with_factor.pk and entry.change_message == "Second factors reset (2 removed)."

    # At their next visit they enrol again, whatever their session showed before.
    client.force_login(colleague)
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/?next=")


def test_an_admin_does_not_reset_their_own_factors_here(client, admin_with_factor):
    response = client.post(
        CHANGELIST, {"action": "reset_second_factors", "_selected_action": [admin_with_factor.pk]}, follow=True
    )
    assert "cannot reset your own" in response.content.decode()
    assert Authenticator.objects.filter(user=admin_with_factor).exists() and not LogEntry.objects.exists()


def test_another_tenants_person_is_out_of_reach(client, admin_with_factor, outsider):
    enrol_totp(outsider)
    client.post(CHANGELIST, {"action": "reset_second_factors", "_selected_action": [outsider.pk]})
    assert Authenticator.objects.filter(user=outsider).exists()  # not in the admin's list: nothing selected
    with pytest.raises(WalkerError) as refused:
        reset_factors(admin_with_factor, outsider)
    assert refused.value.code == "not_found" and Authenticator.objects.filter(user=outsider).exists()


def test_an_approver_may_not_reset_anyone(mfa_on, approver):
    colleague = UserFactory(tenant=mfa_on, role=Role.COMPLIANCE)
    enrol_totp(colleague)
    with pytest.raises(WalkerError):
        reset_factors(approver, colleague)
    assert Authenticator.objects.filter(user=colleague).exists()


def test_a_platform_superuser_resets_anyone(superuser, outsider):
    enrol_totp(outsider)
    assert reset_factors(superuser, outsider) == 1


def test_api_token_callers_are_not_asked_for_a_second_factor(api_client, mfa_on):
    admin = UserFactory(tenant=mfa_on, role=Role.ADMIN)  # required, and enrolled in nothing
    token = Token.objects.create(user=admin)
    response = api_client.get("/api/users/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/static/accounts/walker-signin.css"),
        ("get", "/static/widget/walker-chat.js"),
        ("get", "/jsi18n/"),
        ("post", "/channels/email/events"),
        ("post", "/channels/whatsapp/webhook"),
        ("get", "/accounts/2fa/"),
        ("post", "/accounts/logout/"),
    ],
)
def test_probes_webhooks_static_files_and_the_mfa_pages_are_exempt(client, mfa_on, method, path):
    client.force_login(UserFactory(tenant=mfa_on, role=Role.ADMIN))  # must enrol, has not
    response = getattr(client, method)(path)
    assert not response.get("Location", "").startswith("/accounts/2fa/")
    assert response.status_code != 403 or not path.startswith("/accounts/")
