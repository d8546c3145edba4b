"""What ends a person's API sign-ins: a new password (access tokens at once, CHECK_REVOKE_TOKEN), a new role,
deactivation, and "sign out everywhere" (issue 35, point 5)."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from tenants.roles import Role
from tests.api_tokens.conftest import EVERYWHERE, REFRESH


def refresh_code(api_client, pair):
    answer = api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    return answer.status_code, answer.json().get("code")


def test_a_new_password_ends_access_and_refresh_tokens(api_client, sign_in, bearer, tenant_admin):
    pair = sign_in(tenant_admin)
    tenant_admin.set_password("a-brand-new-passphrase")
    tenant_admin.save()

    refused = bearer(pair["access"]).get("/api/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    assert refresh_code(api_client, pair) == (401, "token_revoked")
    assert bearer(sign_in(tenant_admin, "a-brand-new-passphrase")["access"]).get("/api/me/").status_code == 200


def test_a_new_role_ends_refresh_tokens_and_applies_at_once(api_client, sign_in, bearer, tenant_admin, colleague):
    pair = sign_in(tenant_admin)
    assert bearer(pair["access"]).get(f"/api/users/{colleague.pk}/").status_code == 200
    tenant_admin.role = Role.MEMBER
    tenant_admin.save()

    assert bearer(pair["access"]).get(f"/api/users/{colleague.pk}/").status_code == 404  # a member sees themself
    assert refresh_code(api_client, pair) == (401, "token_revoked")


def test_deactivation_ends_every_token_at_once(api_client, sign_in, bearer, approver):
    pair = sign_in(approver)
    approver.is_active = False
    approver.save(update_fields=["is_active"])

    refused = bearer(pair["access"]).get("/api/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "account_inactive"
    assert refresh_code(api_client, pair) == (401, "token_revoked")


def test_other_saves_keep_the_sign_ins(api_client, sign_in, tenant_admin):
    pair = sign_in(tenant_admin)
    tenant_admin.first_name = "Ada"
    tenant_admin.save()
    tenant_admin.save(update_fields=["last_login"])
    assert not BlacklistedToken.objects.exists()
    assert refresh_code(api_client, pair) == (200, None)


def test_sign_out_everywhere_ends_every_client_of_the_caller_only(api_client, sign_in, bearer, tenant_admin, approver):
    phone, laptop, theirs = sign_in(tenant_admin), sign_in(tenant_admin), sign_in(approver)
    answer = bearer(phone["access"]).post(EVERYWHERE)
    assert answer.status_code == 200 and answer.json() == {"revoked": 2, "sessions_ended": 0}

    assert refresh_code(api_client, phone) == (401, "token_revoked")
    assert refresh_code(api_client, laptop) == (401, "token_revoked")
    assert refresh_code(api_client, theirs) == (200, None)
    assert bearer(phone["access"]).post(EVERYWHERE).json() == {"revoked": 0, "sessions_ended": 0}


def test_sign_out_everywhere_from_a_session(console_as, sign_in, api_client, approver):
    pair = sign_in(approver)
    client = console_as(approver)
    assert client.post(EVERYWHERE).json() == {"revoked": 1, "sessions_ended": 1}
    assert refresh_code(api_client, pair) == (401, "token_revoked")
    assert client.get("/api/me/").status_code == 403  # the session it was sent with ended too


@pytest.mark.parametrize("method", ["get", "put"])
def test_sign_out_everywhere_is_a_post_by_someone_signed_in(api_client, bearer, sign_in, tenant_admin, method):
    assert api_client.post(EVERYWHERE).status_code == 403  # anonymous
    assert getattr(bearer(sign_in(tenant_admin)["access"]), method)(EVERYWHERE).status_code == 405
