"""Password sign-in switched off for a tenant's domains: the sign-in form and both API sign-ins refuse a right
password with a clear message; a wrong one is refused as before; other tenants' people are not affected."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, TenantFactory, UserFactory
from tests.sso.conftest import signed_in_as

DOORS = ["/api/v1/auth/token/", "/api/auth/token/"]


@pytest.fixture
def sso_only(provider):
    provider.password_sign_in_disabled = True
    provider.save()
    return provider


@pytest.fixture
def ana(provider):
    return UserFactory(tenant=provider.tenant, email="ana@acme.test")


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_the_form_refuses_a_right_password_and_says_why(client, sso_only, ana):
    answer = sign_in(client, "ana@acme.test")
    assert answer.status_code == 200
    assert "acme.test addresses sign in with their company account" in answer.content.decode()
    assert signed_in_as(client) is None


def test_a_wrong_password_says_what_it_always_said(client, sso_only, ana):
    answer = sign_in(client, "ana@acme.test", "not-the-password")
    assert "addresses sign in with their company account" not in answer.content.decode()  # nothing told without it
    assert signed_in_as(client) is None


@pytest.mark.parametrize("door", DOORS)
def test_the_api_refuses_a_right_password(sso_only, ana, door):
    answer = APIClient().post(door, {"email": "ana@acme.test", "password": PASSWORD}, format="json")
    assert answer.status_code == 403
    assert "company account" in answer.json()["detail"]


def test_password_sign_in_works_while_the_switch_is_off(client, provider, ana):
    assert sign_in(client, "ana@acme.test").status_code == 302
    assert signed_in_as(client) == str(ana.pk)


def test_a_disabled_provider_gives_passwords_back(client, sso_only, ana):
    sso_only.enabled = False
    sso_only.save()
    assert sign_in(client, "ana@acme.test").status_code == 302


def test_another_tenants_person_with_an_address_of_the_domain_keeps_the_password(client, sso_only):
    """A tenant decides for its own people only: a domain it claimed never locks another tenant's people out."""
    elsewhere = UserFactory(tenant=TenantFactory(slug="elsewhere"), email="temp@acme.test")
    assert sign_in(client, "temp@acme.test").status_code == 302
    assert signed_in_as(client) == str(elsewhere.pk)
