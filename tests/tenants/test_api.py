import re

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, UserFactory


def test_me_returns_the_caller_their_tenant_and_role(api_as, tenant_admin):
    body = api_as(tenant_admin).get("/api/me/").json()
    assert body["email"] == "admin@acme.test"
    assert body["role"] == "admin"
    assert body["tenant"] == {
        "id": str(tenant_admin.tenant_id),
        "name": "Acme Outdoor",
        "slug": "acme",
        "subscription_tier": "free",
        "timezone": "Europe/Paris",
    }


def test_api_requires_authentication(api_client, db):
    response = api_client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_users_are_listed_for_the_own_tenant_only_and_paginated(api_as, tenant_admin, colleague, outsider):
    body = api_as(tenant_admin).get("/api/users/").json()
    assert body["count"] == 2
    assert {u["email"] for u in body["results"]} == {tenant_admin.email, colleague.email}


def test_page_size_is_capped(api_as, tenant_admin, tenant):
    UserFactory.create_batch(3, tenant=tenant)
    body = api_as(tenant_admin).get("/api/users/?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"]
    assert len(api_as(tenant_admin).get("/api/users/?page_size=100000").json()["results"]) == 4


def test_another_tenants_user_answers_404(api_as, tenant_admin, outsider):
    response = api_as(tenant_admin).get(f"/api/users/{outsider.pk}/")
    assert response.status_code == 404


def test_colleague_is_visible(api_as, tenant_admin, colleague):
    assert api_as(tenant_admin).get(f"/api/users/{colleague.pk}/").json()["email"] == colleague.email


def test_token_login_and_token_authentication(api_client, tenant_admin):
    response = api_client.post("/api/auth/token/", {"email": "ADMIN@acme.test", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=tenant_admin).key == token
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/me/").json()["email"] == tenant_admin.email


def test_token_login_with_a_wrong_password_is_a_clear_400(api_client, tenant_admin):
    response = api_client.post("/api/auth/token/", {"email": tenant_admin.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "wrong" in response.json()["detail"]


def test_token_login_rejects_malformed_input(api_client, db):
    response = api_client.post("/api/auth/token/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_token_login_is_throttled(api_client, tenant_admin):
    statuses = [
        api_client.post(
            "/api/auth/token/", {"email": tenant_admin.email, "password": "guess"}, format="json"
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_user_throttle_applies_to_the_api(api_as, tenant_admin, settings):
    from rest_framework.throttling import UserRateThrottle

    client = api_as(tenant_admin)
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**original, "user": "3/minute"}
    try:
        statuses = [client.get("/api/me/").status_code for _ in range(4)]
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 200, 429]


def test_openapi_schema_describes_the_api(api_client, db):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/me/", "/api/users/", "/api/users/{id}/", "/api/auth/token/"} <= set(paths)


def test_the_schema_generates_without_warnings(tmp_path, db):
    """A warning means an endpoint documented wrongly (a guessed type, a missing serializer)."""
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/hitl/approvals/{id}/retry/:" in (tmp_path / "schema.yml").read_text()


@pytest.mark.django_db
def test_api_docs_load_nothing_from_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page should reference its assets"
    assert all(not a.startswith(("http://", "https://", "//")) for a in assets), assets
    assert any("swagger-ui" in a for a in assets)
