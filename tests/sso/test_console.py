"""The console's single sign-on page: a tenant admin sets up and tests their own tenant's provider only, the client
secret is write-only, a domain belongs to one tenant, and "Test discovery" says what is wrong in plain words."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tenants import crypto
from tenants.models import IdentityProvider, SignInDomain
from tenants.roles import Role
from tests.factories import UserFactory

CHANGELIST = "/admin/tenants/identityprovider/"


def change_url(provider):
    return reverse("admin:tenants_identityprovider_change", args=[provider.pk])


def discovery_url(provider):
    return change_url(provider).removesuffix("change/") + "test-discovery/"


@pytest.fixture
def globex_provider(other_tenant, idp):
    row = IdentityProvider.objects.create(
        tenant=other_tenant, issuer=idp.issuer, client_id="globex-client", client_secret="globex-secret-value-1234"
    )
    SignInDomain.objects.create(provider=row, domain="globex.test", verified_at=timezone.now())
    return row


@pytest.fixture
def admin_client(client, tenant_admin):
    client.force_login(tenant_admin)
    return client


def form_data(idp, **overrides):
    data = {
        "issuer": idp.issuer,
        "client_id": "walker-client",
        "client_secret": "",
        "default_role": Role.MEMBER,
        "enabled": "on",
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "domains-0-domain": "acme.test",
    }
    return {**data, **overrides}


def test_a_tenant_admin_sets_up_their_tenants_provider_with_its_secret_encrypted(admin_client, tenant, idp):
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), form_data(idp, client_secret="s3cret-1"))
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    provider = IdentityProvider.objects.get()
    assert provider.tenant == tenant and provider.client_secret == "s3cret-1"
    assert list(provider.domains.values_list("domain", flat=True)) == ["acme.test"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM tenants_identityprovider")
        stored = cursor.fetchone()[0]
    assert "s3cret-1" not in stored and crypto.decrypt(stored) == "s3cret-1"
    page = admin_client.get(change_url(provider)).content.decode()
    assert "s3cret-1" not in page
    assert f"/accounts/oidc/{provider.provider_id}/login/callback/" in page  # the redirect URI to register


def test_an_empty_secret_keeps_the_saved_one(admin_client, provider, idp):
    data = form_data(
        idp, client_id="renamed", **{"domains-INITIAL_FORMS": "1", "domains-0-id": str(provider.domains.get().pk)}
    )
    data["domains-0-provider"] = str(provider.pk)
    assert admin_client.post(change_url(provider), data).status_code == 302
    provider.refresh_from_db()
    assert (provider.client_id, provider.client_secret) == ("renamed", idp.client_secret)


def test_a_new_provider_needs_a_secret(admin_client, idp):
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), form_data(idp))
    assert answer.status_code == 200 and not IdentityProvider.objects.exists()
    assert "Type the client secret your provider gave Walker." in answer.content.decode()


def test_a_domain_another_tenant_signs_in_is_refused(admin_client, globex_provider, idp):
    data = form_data(idp, client_secret="s3cret-1", **{"domains-0-domain": "GLOBEX.test"})
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), data)
    assert answer.status_code == 200
    assert "This domain already signs in through another provider." in answer.content.decode()
    assert IdentityProvider.objects.count() == 1


def test_a_tenant_admin_cannot_see_or_edit_another_tenants_provider(admin_client, provider, globex_provider, idp):
    listed = admin_client.get(CHANGELIST).content.decode()
    assert change_url(provider) in listed and change_url(globex_provider) not in listed
    assert admin_client.get(change_url(globex_provider)).status_code == 404
    assert admin_client.post(change_url(globex_provider), form_data(idp, client_id="mine")).status_code == 404
    assert admin_client.get(discovery_url(globex_provider)).status_code == 404
    globex_provider.refresh_from_db()
    assert globex_provider.client_id == "globex-client"


def test_a_tenant_admin_adds_one_provider_only(admin_client, provider, idp):
    change = reverse("admin:tenants_identityprovider_change", args=[provider.pk])
    assert admin_client.get(reverse("admin:tenants_identityprovider_add")).url == change
    answer = admin_client.post(reverse("admin:tenants_identityprovider_add"), form_data(idp, client_id="second"))
    assert answer.status_code == 302 and answer.url == change
    assert IdentityProvider.objects.filter(tenant=provider.tenant).count() == 1


@pytest.mark.parametrize("role", [Role.APPROVER, Role.SUPPORT, Role.COMPLIANCE, Role.MEMBER])
def test_other_roles_do_not_reach_the_page(client, provider, role):
    client.force_login(UserFactory(tenant=provider.tenant, role=role))
    assert client.get(change_url(provider)).status_code in (302, 403)


def test_a_superuser_sees_every_tenants_provider(client, provider, globex_provider):
    client.force_login(UserFactory(tenant=None, is_superuser=True, email="root@walker.test"))
    listed = client.get(CHANGELIST).content.decode()
    assert change_url(provider) in listed and change_url(globex_provider) in listed


def _discover(admin_client, provider):
    answer = admin_client.get(discovery_url(provider), follow=True)
    return [str(message) for message in answer.context["messages"]]


def test_discovery_of_a_working_provider_says_what_it_found(admin_client, provider, idp):
    (said,) = _discover(admin_client, provider)
    assert said.startswith("The provider answers:") and "1 signing key(s)" in said


def test_discovery_says_when_the_issuer_url_is_not_the_providers(admin_client, provider, idp):
    provider.issuer = idp.issuer + "/tenant-a"
    provider.save()
    (said,) = _discover(admin_client, provider)
    assert "answered HTTP 500" in said or "answered HTTP 404" in said
    assert "check the issuer URL" in said


def test_discovery_says_when_the_provider_names_another_issuer(admin_client, provider, idp, httpserver):
    httpserver.clear()
    httpserver.expect_request("/.well-known/openid-configuration").respond_with_json(
        {"issuer": "https://login.example.com", "authorization_endpoint": "a", "token_endpoint": "t", "jwks_uri": "j"}
    )
    (said,) = _discover(admin_client, provider)
    assert "calls itself https://login.example.com" in said


def test_discovery_says_when_nothing_answers(admin_client, provider):
    provider.issuer = "http://127.0.0.1:9"  # the discard port: nothing listens
    provider.save()
    (said,) = _discover(admin_client, provider)
    assert "could not connect to http://127.0.0.1:9/.well-known/openid-configuration" in said


def test_discovery_refuses_an_address_walker_may_not_reach(admin_client, provider, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    (said,) = _discover(admin_client, provider)
    assert "Walker may not connect to" in said and "is not a public address" in said
