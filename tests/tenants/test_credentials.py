"""Credentials follow the person: a new password ends older tokens (issue 17, point 8)."""

from rest_framework.authtoken.models import Token

from channels_app.chat import verify
from tests.factories import PASSWORD


def test_changing_the_password_revokes_api_tokens(api_client, tenant_admin):
    key = api_client.post("/api/auth/token/", {"email": tenant_admin.email, "password": PASSWORD}, format="json")
    key = key.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/me/").status_code == 200

    tenant_admin.set_password("a-brand-new-passphrase")
    tenant_admin.save()

    refused = api_client.get("/api/me/")
    assert refused.status_code == 403 and refused.json()["code"] == "authentication_failed"
    assert not Token.objects.filter(user=tenant_admin).exists()


def test_other_saves_keep_the_token(api_client, tenant_admin):
    token = Token.objects.create(user=tenant_admin)
    tenant_admin.first_name = "Ada"
    tenant_admin.save()
    tenant_admin.save(update_fields=["last_login"])
    assert Token.objects.filter(pk=token.pk).exists()


def test_changing_the_password_ends_widget_tokens_issued_before(colleague):
    before = verify.issue(colleague).token
    assert verify.user_for(before) == colleague

    colleague.set_password("a-brand-new-passphrase")
    colleague.save()

    assert verify.user_for(before) is None
    assert verify.user_for(verify.issue(colleague).token) == colleague


def test_a_widget_token_without_the_password_fingerprint_is_refused(colleague):
    from django.core import signing

    old_style = signing.dumps({"t": str(colleague.tenant_id), "u": str(colleague.pk)}, salt=verify.SALT)
    assert verify.user_for(old_style) is None
