"""Integration tokens: shown once, hashed at rest, listed with their last use and revocable by their owner (a
tenant admin: the tenant's), refused once expired or revoked, with their last use written at most once a minute
(issue 35, point 5)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.identity import integration_tokens
from tenants.models import IntegrationToken
from tenants.roles import Role
from tests.api_tokens.conftest import EVERYWHERE
from tests.factories import UserFactory

TOKENS = "/api/v1/auth/integration-tokens/"
ALL = ["read", "write", "decide"]


def with_token(secret, scheme="Token"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {secret}")
    return client


def make(user, scopes=ALL, **fields):
    return integration_tokens.create_token(user, name=fields.pop("name", "CRM sync"), scopes=scopes, **fields)


def test_a_token_is_shown_once_and_only_its_keyed_hash_is_stored(api_as, approver):
    api = api_as(approver)
    made = api.post(TOKENS, {"name": "Zapier", "scopes": ["read", "decide"], "days": 30}, format="json")
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("wk_") and len(secret) > 40
    assert made.json()["prefix"] == secret[:11] and made.json()["scopes"] == ["read", "decide"]

    listed = api.get(TOKENS).json()["results"]
    assert [row["name"] for row in listed] == ["Zapier"] and "token" not in listed[0]
    assert "token" not in api.get(f"{TOKENS}{made.json()['id']}/").json()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenants_integrationtoken")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert secret not in stored and secret[11:] not in stored and secret[11:30] not in stored
    row = IntegrationToken.objects.get()
    assert row.secret_hash == integration_tokens.secret_hash(secret) and row.tenant == approver.tenant
    assert row.expires_at - row.created_at == timedelta(days=30)


def test_a_token_acts_as_its_owner_sent_as_token_or_bearer(approver):
    _, secret = make(approver)
    for scheme in ("Token", "Bearer"):
        me = with_token(secret, scheme).get("/api/me/")
        assert me.status_code == 200 and me.json()["email"] == approver.email


@pytest.mark.parametrize(
    "body, words",
    [
        ({"scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        ({"name": "x", "scopes": ["read"], "days": 366}, "days"),
        ({"name": "x", "scopes": ["read"], "days": 0}, "days"),
        ({"name": "   ", "scopes": ["read"]}, "name"),
    ],
)
def test_a_bad_request_makes_no_token(api_as, approver, body, words):
    answer = api_as(approver).post(TOKENS, body, format="json")
    assert answer.status_code == 400 and words in str(answer.json())
    assert not IntegrationToken.objects.exists()


def test_the_service_refuses_what_the_api_would(approver):
    for fields in (
        {"name": "", "scopes": ["read"]},
        {"name": "x", "scopes": ["sudo"]},
        {"name": "x" * 101, "scopes": ["read"]},
    ):
        with pytest.raises(integration_tokens.WalkerError) as refused:
            integration_tokens.create_token(approver, **fields)
        assert refused.value.code == "invalid_token_request"
    with pytest.raises(integration_tokens.WalkerError):
        integration_tokens.create_token(approver, name="x", scopes=["read"], days=400)


def test_an_unknown_expired_or_revoked_token_is_refused_with_why(approver):
    token, secret = make(approver, days=1)
    unknown = with_token("wk_" + "x" * 43).get("/api/me/")
    assert unknown.status_code == 401 and unknown.json()["code"] == "token_not_valid"
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        expired = with_token(secret).get("/api/me/")
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"

    integration_tokens.revoke_token(token)
    revoked = with_token(secret).get("/api/me/")
    assert revoked.status_code == 401 and revoked.json()["code"] == "token_revoked"


def test_a_token_of_a_disabled_or_moved_owner_is_refused(approver, other_tenant):
    _, secret = make(approver)
    approver.is_active = False
    approver.save()
    assert with_token(secret).get("/api/me/").json()["code"] == "account_inactive"
    approver.is_active, approver.tenant = True, other_tenant
    approver.save()
    assert with_token(secret).get("/api/me/").json()["code"] == "account_inactive"


def test_revoking_through_the_api_keeps_it_listed_as_revoked(api_as, approver):
    token, secret = make(approver)
    api = api_as(approver)
    assert api.delete(f"{TOKENS}{token.pk}/").status_code == 204
    assert api.get(f"{TOKENS}{token.pk}/").json()["revoked_at"] is not None
    assert with_token(secret).get("/api/me/").status_code == 401
    assert api.delete(f"{TOKENS}{token.pk}/").status_code == 204  # again: still revoked
    assert integration_tokens.revoke_token(token) is False


def test_the_last_use_is_written_at_most_once_a_minute(approver, django_assert_num_queries):
    token, secret = make(approver)
    client = with_token(secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/me/")
        first = IntegrationToken.objects.get(pk=token.pk).last_used_at
        assert first == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get("/api/me/")
        assert IntegrationToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/me/")
        assert IntegrationToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=61)


def test_a_recent_use_costs_no_write(approver, django_assert_num_queries):
    token, secret = make(approver)
    integration_tokens.authenticate(secret)
    with django_assert_num_queries(1):  # the lookup only
        integration_tokens.authenticate(secret)


def test_people_see_their_own_tokens_and_admins_their_tenants(api_as, tenant, tenant_admin, approver, outsider):
    mine, _ = make(approver, name="mine")
    colleagues, _ = make(UserFactory(tenant=tenant, role=Role.SUPPORT), name="support's")
    theirs, _ = make(outsider, name="other tenant's")

    assert {row["name"] for row in api_as(approver).get(TOKENS).json()["results"]} == {"mine"}
    assert {row["name"] for row in api_as(tenant_admin).get(TOKENS).json()["results"]} == {"mine", "support's"}
    for token in (colleagues, theirs):
        assert api_as(approver).get(f"{TOKENS}{token.pk}/").status_code == 404
        assert api_as(approver).delete(f"{TOKENS}{token.pk}/").status_code == 404
    assert api_as(tenant_admin).get(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert api_as(tenant_admin).delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert IntegrationToken.objects.get(pk=theirs.pk).revoked_at is None
    assert api_as(tenant_admin).delete(f"{TOKENS}{colleagues.pk}/").status_code == 204  # the tenant's admin may


def test_a_token_cannot_manage_tokens_or_sign_out_everywhere(approver):
    _, secret = make(approver)
    client = with_token(secret)
    assert client.get(TOKENS).status_code == 403
    answer = client.post(TOKENS, {"name": "successor", "scopes": ALL}, format="json")
    assert answer.status_code == 403 and IntegrationToken.objects.count() == 1
    assert client.post(EVERYWHERE).status_code == 403


def test_anonymous_callers_see_no_tokens(api_client):
    assert api_client.get(TOKENS).status_code == 403
