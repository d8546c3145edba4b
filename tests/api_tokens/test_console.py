"""The console's integration tokens: made with the secret on that page only, listed with their last use (the
tenant's for its admins, one's own for others, never another tenant's), revoked; and "Sign out everywhere"."""

from django.urls import reverse

from tenants.identity import api_tokens, integration_tokens
from tenants.models import IntegrationToken
from tests.api_tokens.conftest import REFRESH

LIST = reverse("admin:tenants_integrationtoken_changelist")
ADD = reverse("admin:tenants_integrationtoken_add")
EVERYWHERE = reverse("admin:tenants_integrationtoken_sign_out_everywhere")


def test_a_token_made_in_the_console_is_shown_once(console_as, approver):
    client = console_as(approver)
    assert client.get(ADD).status_code == 200
    page = client.post(ADD, {"name": "Zapier", "scopes": ["read", "decide"], "days": 30})
    assert page.status_code == 200
    token = IntegrationToken.objects.get()
    secret = page.context["secret"]
    assert secret.startswith("wk_") and secret in page.content.decode()
    assert integration_tokens.authenticate(secret) == token and token.owner == approver
    assert token.scopes == ["read", "decide"]
    listed = client.get(LIST).content.decode()
    assert "Zapier" in listed and token.prefix in listed and secret not in listed
    assert secret not in client.get(reverse("admin:tenants_integrationtoken_change", args=[token.pk])).content.decode()


def test_a_bad_form_makes_nothing(console_as, approver):
    page = console_as(approver).post(ADD, {"name": "x", "scopes": ["sudo"], "days": 999})
    assert page.status_code == 200 and page.context["secret"] is None and page.context["form"].errors
    assert not IntegrationToken.objects.exists()


def test_the_list_is_scoped_and_revoking_keeps_the_row(console_as, tenant_admin, approver, support, outsider):
    mine, _ = integration_tokens.create_token(approver, name="approver's", scopes=["read"])
    theirs, _ = integration_tokens.create_token(support, name="support's", scopes=["read"])
    foreign, _ = integration_tokens.create_token(outsider, name="globex's", scopes=["read"])

    listed = console_as(approver).get(LIST).content.decode()
    assert "approver&#x27;s" in listed and "support&#x27;s" not in listed and "globex" not in listed
    admin_page = console_as(tenant_admin).get(LIST).content.decode()
    assert "approver&#x27;s" in admin_page and "support&#x27;s" in admin_page and "globex" not in admin_page
    other = reverse("admin:tenants_integrationtoken_change", args=[foreign.pk])
    assert console_as(tenant_admin).get(other).status_code in (302, 404)

    answer = console_as(tenant_admin).post(
        LIST, {"action": "revoke", "_selected_action": [str(theirs.pk), str(foreign.pk)]}
    )
    assert answer.status_code == 302
    assert IntegrationToken.objects.get(pk=theirs.pk).revoked_at is not None
    assert IntegrationToken.objects.get(pk=foreign.pk).revoked_at is None  # outside the admin's tenant
    assert IntegrationToken.objects.get(pk=mine.pk).revoked_at is None


def test_members_have_no_console_tokens(console_as, colleague):
    assert console_as(colleague).get(LIST).status_code == 302  # to the console's sign-in


def test_sign_out_everywhere_in_the_console(console_as, api_client, approver, tenant_admin):
    pair, others = api_tokens.issue_pair(approver), api_tokens.issue_pair(tenant_admin)
    client = console_as(approver)
    assert client.get(EVERYWHERE).status_code == 200
    assert api_client.post(REFRESH, {"refresh": pair.refresh}, format="json").status_code == 200  # GET asked only
    pair = api_tokens.issue_pair(approver)
    assert client.post(EVERYWHERE).status_code == 302
    assert api_client.post(REFRESH, {"refresh": pair.refresh}, format="json").json()["code"] == "token_revoked"
    assert api_client.post(REFRESH, {"refresh": others.refresh}, format="json").status_code == 200
    assert client.get(LIST).status_code == 200  # the console session stays
