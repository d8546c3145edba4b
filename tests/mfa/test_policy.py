"""Who must have a second factor: each role against the tenant's policy, platform superusers by a setting, and
where a session without one is sent (docs/identity.md, "Enforcement")."""

import pytest
from django.urls import reverse

from tenants.models import Tenant
from tenants.roles import Role
from tests.factories import UserFactory
from tests.mfa.conftest import enrol_totp, totp_code

CONSOLE_PAGES = ["/admin/", "/admin/hitl/hitlapproval/", "/admin/tenants/user/", "/"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.APPROVER, Role.COMPLIANCE])
@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_required_roles_without_a_factor_are_sent_to_enrol_from_any_console_page(client, mfa_on, role, page):
    client.force_login(UserFactory(tenant=mfa_on, role=role))
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/?next=")


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.MEMBER])
def test_roles_the_policy_leaves_out_pass(client, mfa_on, role):
    client.force_login(UserFactory(tenant=mfa_on, role=role))
    page = "/admin/" if role == Role.SUPPORT else "/widget/"
    assert client.get(page).status_code == 200


def test_a_policy_naming_support_sends_support_to_enrol(client, mfa_on):
    mfa_on.mfa_required_roles = [Role.SUPPORT]
    mfa_on.save()
    client.force_login(UserFactory(tenant=mfa_on, role=Role.SUPPORT))
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/")


def test_with_the_policy_off_nobody_is_asked(client, tenant):
    client.force_login(UserFactory(tenant=tenant, role=Role.ADMIN))
    assert client.get("/admin/").status_code == 200


def test_an_enrolled_session_that_never_showed_its_factor_must_re_authenticate(client, mfa_on):
    """A session from before enrolment, or made another way (here force_login), has no second factor on record."""
    approver = UserFactory(tenant=mfa_on, role=Role.APPROVER)
    secret = enrol_totp(approver)
    client.force_login(approver)
    response = client.get("/admin/hitl/hitlapproval/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fhitl%2Fhitlapproval%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200 and "second factor" in page.content.decode()  # says why
    done = client.post(response["Location"], {"code": totp_code(secret)})
    assert done.status_code == 302 and done["Location"] == "/admin/hitl/hitlapproval/"
    assert client.get("/admin/hitl/hitlapproval/").status_code == 200


def test_the_enrolment_and_sign_out_pages_stay_open(client, mfa_on):
    client.force_login(UserFactory(tenant=mfa_on, role=Role.ADMIN))
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)  # asks for the password first
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_api_call_is_refused_with_a_code_not_redirected(client, mfa_on):
    client.force_login(UserFactory(tenant=mfa_on, role=Role.ADMIN))
    response = client.get("/api/users/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_enrolment_required"


@pytest.mark.parametrize("required", [True, False])
def test_platform_superusers_follow_the_setting(client, superuser, settings, required):
    settings.MFA_REQUIRED_FOR_SUPERUSERS = required
    client.force_login(superuser)
    response = client.get("/admin/")
    assert (response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")) is required
    assert (response.status_code == 200) is not required


def test_a_new_tenant_requires_admin_approver_and_compliance(db):
    tenant = Tenant.objects.create(name="Initech", slug="initech")
    assert tenant.mfa_required_roles == ["admin", "approver", "compliance"] and tenant.mfa_trust_days == 30


def test_the_dashboard_says_when_mfa_is_off_and_where_to_turn_it_on(client, tenant, mfa_on):
    admin = UserFactory(tenant=tenant, role=Role.SUPPORT)
    client.force_login(admin)
    assert b'data-testid="mfa-off"' not in client.get("/admin/").content
    tenant.mfa_required_roles = []
    tenant.save()
    page = client.get("/admin/").content.decode()
    assert 'data-testid="mfa-off"' in page and f"/admin/tenants/tenant/{tenant.pk}/change/" in page


def test_a_member_session_reaching_the_console_is_refused_as_before(client, mfa_on):
    client.force_login(UserFactory(tenant=mfa_on, role=Role.MEMBER))
    assert client.get("/admin/", follow=True).status_code == 403


def test_a_tenant_admin_turns_the_policy_on_in_the_tenants_page(client, tenant):
    admin = UserFactory(tenant=tenant, role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:tenants_tenant_change", args=[tenant.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}

    refused = client.post(url, {**data, "mfa_required_roles": ["admin", "nobody"], "mfa_trust_days": 91})
    assert refused.status_code == 200
    assert set(refused.context["adminform"].form.errors) == {"mfa_required_roles", "mfa_trust_days"}

    response = client.post(url, {**data, "mfa_required_roles": ["admin", "approver"], "mfa_trust_days": 7})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.mfa_required_roles == ["admin", "approver"] and tenant.mfa_trust_days == 7
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/")  # it applies at once, to them too
