"""Signing in to the API with a password: short-lived access tokens, refresh tokens used once (rotation), signing
one client out, and the clear refusals of what is expired, revoked or forged (issue 35, point 5)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from tests.api_tokens.conftest import OBTAIN, REFRESH, REVOKE
from tests.factories import PASSWORD


def test_a_password_gets_an_access_token_and_a_refresh_token(api_client, sign_in, bearer, tenant_admin, settings):
    pair = sign_in(tenant_admin)
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() == 300
    me = bearer(pair["access"]).get("/api/me/")
    assert me.status_code == 200 and me.json()["email"] == tenant_admin.email
    assert OutstandingToken.objects.filter(user=tenant_admin).count() == 1


def test_a_wrong_password_or_a_disabled_account_gets_no_token(api_client, tenant_admin, colleague):
    wrong = api_client.post(OBTAIN, {"email": tenant_admin.email, "password": "guess"}, format="json")
    assert wrong.status_code == 400 and "wrong" in wrong.json()["detail"]
    colleague.is_active = False
    colleague.save()
    disabled = api_client.post(OBTAIN, {"email": colleague.email, "password": PASSWORD}, format="json")
    assert disabled.status_code == 400
    missing = api_client.post(OBTAIN, {"email": tenant_admin.email}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    assert not OutstandingToken.objects.exists()


def test_an_expired_access_token_is_refused_with_a_clear_error(sign_in, bearer, tenant_admin):
    pair = sign_in(tenant_admin)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        refused = bearer(pair["access"]).get("/api/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_expired" and "/api/v1/auth/token/refresh/" in refused.json()["detail"]
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_forged_or_refresh_token_is_no_access_token(sign_in, bearer, tenant_admin):
    pair = sign_in(tenant_admin)
    head, body, signature = pair["access"].split(".")
    forged = bearer(f"{head}.{body}.{signature[:-4]}AAAA").get("/api/me/")
    assert forged.status_code == 401 and forged.json()["code"] == "token_not_valid"
    assert bearer(pair["refresh"]).get("/api/me/").json()["code"] == "token_not_valid"


def test_a_refresh_token_gives_a_new_pair_once(api_client, sign_in, bearer, tenant_admin):
    pair = sign_in(tenant_admin)
    renewed = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert renewed.status_code == 200
    fresh = renewed.json()
    assert fresh["refresh"] != pair["refresh"] and fresh["access"] != pair["access"]
    assert bearer(fresh["access"]).get("/api/me/").status_code == 200

    again = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == 401 and again.json()["code"] == "token_revoked"
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200
    assert BlacklistedToken.objects.filter(token__user=tenant_admin).count() == 2


def test_refresh_refuses_what_is_not_a_good_refresh_token(api_client, sign_in, tenant_admin):
    pair = sign_in(tenant_admin)
    as_access = api_client.post(REFRESH, {"refresh": pair["access"]}, format="json")
    assert as_access.status_code == 401 and as_access.json()["code"] == "token_not_valid"
    garbage = api_client.post(REFRESH, {"refresh": "not-a-token"}, format="json")
    assert garbage.status_code == 401 and garbage.json()["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {}, format="json").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        expired = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"


def test_a_refresh_token_of_a_deleted_account_is_refused(api_client, sign_in, tenant_admin):
    pair = sign_in(tenant_admin)
    tenant_admin.delete()  # its outstanding tokens stay, naming nobody
    answer = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert answer.status_code == 401 and answer.json()["code"] == "account_inactive"


def test_revoking_a_refresh_token_signs_that_client_out(api_client, sign_in, tenant_admin):
    one, other = sign_in(tenant_admin), sign_in(tenant_admin)
    assert api_client.post(REVOKE, {"refresh": one["refresh"]}, format="json").status_code == 204
    assert api_client.post(REVOKE, {"refresh": one["refresh"]}, format="json").status_code == 204  # again: done
    assert api_client.post(REFRESH, {"refresh": one["refresh"]}, format="json").json()["code"] == "token_revoked"
    assert api_client.post(REFRESH, {"refresh": other["refresh"]}, format="json").status_code == 200
    assert api_client.post(REVOKE, {"refresh": "forged"}, format="json").status_code == 401


@pytest.mark.parametrize("path", [OBTAIN, REFRESH, REVOKE])
def test_the_sign_in_endpoints_are_in_the_schema(api_client, path, settings):
    settings.API_SCHEMA_PUBLIC = True
    schema = api_client.get("/api/schema/?format=json").json()
    assert "post" in schema["paths"][path]


def test_the_legacy_token_endpoint_still_works_and_is_marked_deprecated(api_client, tenant_admin, settings):
    answer = api_client.post("/api/auth/token/", {"email": tenant_admin.email, "password": PASSWORD}, format="json")
    assert answer.status_code == 200 and len(answer.json()["token"]) == 40
    settings.API_SCHEMA_PUBLIC = True
    schema = api_client.get("/api/schema/?format=json").json()
    assert schema["paths"]["/api/auth/token/"]["post"]["deprecated"] is True
    assert "deprecated" not in schema["paths"]["/api/v1/auth/token/"]["post"]
