"""Step-up beyond decisions: revealing personal data (console and API) and changing a tenant's channel secrets or
its ad platforms' credentials need a second factor shown within the tenant's window; a token never shows one."""

from urllib.parse import quote, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from adplatforms.models import AdConnection
from tenants.identity import integration_tokens
from tenants.models import AccessLog, Tenant
from tenants.roles import Role
from tests.factories import WEBHOOK_SECRET, ConversationFactory, MessageFactory, UserFactory
from tests.mfa.conftest import totp_code
from tests.step_up.conftest import WINDOW_MINUTES, later, place_level

EMAIL = "priya.shah@acme.test"
REASON = "Customer 4471 asked for a copy of the chat"


@pytest.fixture
def compliance(tenant):
    return UserFactory(tenant=tenant, role=Role.COMPLIANCE, email="compliance@acme.test")


@pytest.fixture
def chat(tenant, colleague):
    conversation = ConversationFactory(user=colleague, channel="whatsapp")
    MessageFactory(conversation=conversation, text=f"Write to {EMAIL} about order 2026-11-21")
    return conversation


def reveal_url(conversation):
    return reverse("admin:conversations_conversation_reveal", args=[conversation.pk])


def token_client(user, scopes):
    _, secret = integration_tokens.create_token(user, name="step-up", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


# --- revealing personal data ------------------------------------------------------------------------------------


def test_a_console_reveal_with_a_fresh_factor_shows_the_page(tenant, compliance, chat, session_as):
    place_level(tenant, "high")
    client = session_as(compliance, "fresh")
    location = client.post(reveal_url(chat), {"reason": REASON})["Location"]
    assert "revealed=" in location and EMAIL in client.get(location).content.decode()


@pytest.mark.parametrize("state", ["stale", "trusted"])
def test_a_console_reveal_asks_for_the_factor_first_and_keeps_the_reason(tenant, compliance, chat, session_as, state):
    place_level(tenant, "high")
    client = session_as(compliance, state)
    away = client.post(reveal_url(chat), {"reason": REASON})
    assert urlsplit(away["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert not AccessLog.objects.filter(action="pii_accessed").exists()
    with later(1):  # the next code of the app: the one used at sign-in is not taken twice
        back = client.post(away["Location"], {"code": totp_code(compliance._totp_secret)})
        assert back["Location"] == reveal_url(chat)
        page = client.get(client.get(back["Location"])["Location"])
    assert EMAIL in page.content.decode()
    assert AccessLog.objects.get(action="pii_accessed").reason == REASON


def test_a_console_reveal_needs_no_factor_while_step_up_is_off(tenant, compliance, chat, console_as):
    location = console_as(compliance).post(reveal_url(chat), {"reason": REASON})["Location"]
    assert "revealed=" in location


@pytest.mark.parametrize("state", ["fresh", "stale", "trusted"])
def test_an_api_reveal_by_session_needs_a_fresh_factor(tenant, compliance, chat, session_as, state):
    place_level(tenant, "critical")  # the level of decisions does not matter: a reveal always asks while it is on
    response = session_as(compliance, state).get(f"/api/conversations/{chat.pk}/?reveal=1&reason=checking")
    if state == "fresh":
        assert response.status_code == 200 and EMAIL in response.content.decode()
        return
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"
    assert EMAIL not in response.content.decode()


def test_an_api_reveal_by_token_is_refused_and_a_masked_read_is_not(tenant, compliance, chat):
    place_level(tenant, "high")
    client = token_client(compliance, ["read"])
    refused = client.get(f"/api/conversations/{chat.pk}/?reveal=1&reason=checking")
    body = refused.json()
    assert refused.status_code == 403 and body["code"] == "step_up_required" and "token" in body["detail"]
    assert body["console_url"].endswith("/admin/")
    masked = client.get(f"/api/conversations/{chat.pk}/")
    assert masked.status_code == 200 and EMAIL not in masked.content.decode()


# --- a tenant's channel secrets ---------------------------------------------------------------------------------


def tenant_page(tenant):
    return f"/admin/tenants/tenant/{tenant.pk}/change/"


@pytest.mark.parametrize("state", ["stale", "trusted"])
def test_the_tenant_settings_ask_a_tenant_admin_for_the_factor_first(tenant, tenant_admin, session_as, state):
    place_level(tenant, "high")
    response = session_as(tenant_admin, state).get(tenant_page(tenant))
    assert urlsplit(response["Location"]).path == "/accounts/2fa/reauthenticate/"


def test_a_tenant_admin_with_no_factor_is_told_to_add_one_and_not_shown_the_secrets(tenant, tenant_admin, console_as):
    """The secrets wall sends a person with no second factor to add one (which counts as showing it), saying so."""
    place_level(tenant, "high")
    tenant.action_webhook_secret = WEBHOOK_SECRET
    tenant.save()
    response = console_as(tenant_admin).get(tenant_page(tenant), follow=True)
    assert response.redirect_chain == [(f"/accounts/2fa/?next={quote(tenant_page(tenant), safe='')}", 302)]
    page = response.content.decode()
    assert (
        "you have none yet: add one on the next page (an authenticator app or a security key), then change this "
        "tenant&#x27;s secrets."
    ) in page
    assert 'href="/accounts/2fa/totp/activate/"' in page
    assert WEBHOOK_SECRET not in page and 'name="action_webhook_secret"' not in page


def test_a_secret_typed_after_the_factor_went_stale_is_not_saved(tenant, tenant_admin, session_as):
    place_level(tenant, "high")
    client = session_as(tenant_admin, "fresh")
    form = client.get(tenant_page(tenant)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not name.endswith("_url")}
    data.update({"mfa_required_roles": [], "action_webhook_secret": "whsec-new-secret-typed"})
    with later(WINDOW_MINUTES + 1):
        refused = client.post(tenant_page(tenant), data)
    assert refused.status_code == 200
    assert "older than this tenant allows" in str(refused.context["adminform"].form.non_field_errors())
    assert Tenant.objects.get(pk=tenant.pk).action_webhook_secret != "whsec-new-secret-typed"


def test_a_new_webhook_secret_is_generated_only_after_the_factor(tenant, tenant_admin, session_as):
    place_level(tenant, "high")
    tenant.action_webhook_secret = WEBHOOK_SECRET
    tenant.save()
    url = reverse("admin:tenants_tenant_webhook_secret", args=[tenant.pk])
    client = session_as(tenant_admin, "fresh")
    with later(WINDOW_MINUTES + 1):
        refused = client.post(url)
    assert urlsplit(refused["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert Tenant.objects.get(pk=tenant.pk).action_webhook_secret == WEBHOOK_SECRET
    assert client.post(url).status_code == 200
    assert Tenant.objects.get(pk=tenant.pk).action_webhook_secret != WEBHOOK_SECRET


# --- ad platform credentials ------------------------------------------------------------------------------------


def test_the_connection_form_asks_for_the_factor_first(tenant, tenant_admin, connection, session_as):
    place_level(tenant, "high")
    page = f"/admin/adplatforms/adconnection/{connection.pk}/change/"
    assert urlsplit(session_as(tenant_admin, "stale").get(page)["Location"]).path == "/accounts/2fa/reauthenticate/"
    assert session_as(tenant_admin, "fresh").get(page).status_code == 200


def test_the_api_changes_credentials_only_with_a_fresh_session(tenant, tenant_admin, connection, session_as):
    place_level(tenant, "high")
    url = f"/api/v1/ad-connections/{connection.pk}/"
    token = token_client(tenant_admin, ["read", "write"])
    refused = token.patch(url, {"refresh_token": "1//stolen"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
    assert token.patch(url, {"sync_every_minutes": 30}, format="json").status_code == 200  # no secret: no factor
    fresh = session_as(tenant_admin, "fresh")
    assert fresh.patch(url, {"refresh_token": "1//new"}, content_type="application/json").status_code == 200
    assert AdConnection.objects.get(pk=connection.pk).refresh_token == "1//new"
