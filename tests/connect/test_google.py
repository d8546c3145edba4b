"""Connect Google Ads: OAuth 2.0 for web server applications with PKCE against the installation's client, the
accessible customers (and a manager's clients) to pick from, the refresh token stored encrypted; refusals in plain
words; Reconnect for a connection whose authorisation Google revoked."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from adplatforms import connections, states
from adplatforms.models import AdConnection
from adplatforms.simulator import consent
from tenants.roles import Role
from tests.connect.conftest import come_back, follow, press, query, shown
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:adplatforms_adconnection_changelist")


def picked(client, response, account_id: str):
    """On the pick page the callback led to, pick `account_id`."""
    assert response.status_code == 302 and "/pick/" in response["Location"], shown(response)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page, client.post(response["Location"], {"account": account_id})


def test_the_button_sends_the_admin_to_google_with_pkce_and_offline_access(console_as, tenant_admin, google):
    started = press(console_as(tenant_admin), "google")

    assert started.status_code == 302 and started["Location"].startswith(google.authorize_url)
    asked = query(started["Location"])
    assert asked["client_id"] == google.client_id and asked["response_type"] == "code"
    assert asked["scope"] == "https://www.googleapis.com/auth/adwords"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["access_type"] == "offline" and asked["prompt"] == "consent"
    assert asked["redirect_uri"].endswith("/admin/adplatforms/adconnection/connect/google/callback/")
    assert asked["state"]


def test_an_admin_connects_a_picked_account_and_its_refresh_token_is_stored_encrypted(
    console_as, tenant_admin, google, django_capture_on_commit_callbacks
):
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "google")["Location"])
    page, done = picked(client, back, "5550001111")

    text = page.content.decode()
    for name in ("Acme US", "Acme Japan", "Acme Outlet", "123-456-7890", "Through manager account 7000000001"):
        assert name in text
    assert "Acme Agency MCC" not in text  # a manager has no campaigns of its own: its clients are listed
    assert google.refresh_token not in text and google.refresh_token not in str(dict(client.session))
    exchange = next(r for r in google.requests if r.path == "/token")
    assert exchange.body["grant_type"] == "authorization_code" and exchange.body["code_verifier"]

    connection = AdConnection.objects.get(tenant=tenant_admin.tenant)
    assert done.status_code == 302 and done["Location"] == reverse(
        "admin:adplatforms_adconnection_change", args=[connection.pk]
    )
    assert (connection.account_id, connection.login_customer_id, connection.name) == (
        "5550001111", "7000000001", "Acme Outlet"
    )  # fmt: skip
    assert connection.refresh_token == google.refresh_token and connection.client_id == google.client_id
    assert connection.developer_token == "" and connection.client_secret == ""  # the installation's, from settings
    with db.cursor() as cursor:
        cursor.execute("SELECT refresh_token FROM adplatforms_adconnection")
        (stored,) = cursor.fetchone()
    assert stored and google.refresh_token not in stored
    assert connection.created_by == tenant_admin and connection.next_sync_at is not None
    assert connections.test(connection) == (True, "Connected: Acme Outlet, EUR, Europe/Madrid")
    assert f"Connected {connection}" in " ".join(shown(done))


def test_refusing_consent_connects_nothing_and_says_so(console_as, tenant_admin, google):
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "google")["Location"], allow=False)

    assert back.status_code == 302 and back["Location"] == CHANGELIST
    assert "You did not allow Walker to use your Google Ads accounts" in shown(back)[0]
    assert not AdConnection.objects.exists()


@pytest.mark.parametrize("how", ["forged", "replayed", "expired", "other admin"])
def test_a_bad_state_is_refused_in_plain_words(console_as, tenant_admin, google, how):
    client = console_as(tenant_admin)
    callback_url = consent.decide(press(client, "google")["Location"])
    expected = {
        "forged": "did not come from a connection started here",
        "replayed": "already finished or abandoned",
        "expired": "took too long",
        "other admin": "started by someone else",
    }[how]
    if how == "forged":
        callback_url = callback_url.replace("state=", "state=x")
    elif how == "replayed":
        follow(client, callback_url)
    elif how == "other admin":
        client = console_as(UserFactory(tenant=tenant_admin.tenant, role=Role.ADMIN, email="admin2@acme.test"))
    if how == "expired":
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            back = follow(client, callback_url)
    else:
        back = follow(client, callback_url)

    assert back["Location"] == CHANGELIST
    assert expected in " ".join(shown(back))
    assert AdConnection.objects.count() == 0 or how == "replayed"


def test_a_state_from_another_tenant_is_refused(console_as, tenant_admin, outsider, google):
    callback_url = consent.decide(press(console_as(tenant_admin), "google")["Location"])
    back = follow(console_as(outsider), callback_url)

    assert "started by someone else, or for another tenant" in " ".join(shown(back))
    assert not AdConnection.objects.exists()


def test_no_ad_account_is_said_plainly(console_as, tenant_admin, google):
    google.accessible = []
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "google")["Location"])

    assert "reaches no ad account Walker can manage" in " ".join(shown(back))


def test_an_account_another_tenant_connected_cannot_be_connected(console_as, tenant_admin, outsider, google):
    AdConnection.objects.create(tenant=outsider.tenant, platform="google", account_id="1234567890")
    client = console_as(tenant_admin)
    page, done = picked(client, come_back(client, press(client, "google")["Location"]), "1234567890")

    assert "Connected by another organisation" in page.content.decode()
    assert "already connected to Walker by another organisation" in " ".join(shown(done))
    assert not AdConnection.objects.filter(tenant=tenant_admin.tenant).exists()


def test_google_refusing_the_code_is_said_plainly(console_as, tenant_admin, google):
    google.fail_token_next(400, {"error": "invalid_grant", "error_description": "Bad Request"})
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "google")["Location"])

    assert "Google Ads refused to finish the sign-in (Bad Request)" in " ".join(shown(back))


def test_only_a_tenant_admin_may_connect(console_as, approver, colleague, google):
    assert press(console_as(approver), "google").status_code == 403
    member = press(console_as(colleague), "google")
    assert member.status_code == 302 and not member["Location"].startswith(google.url)
    assert not google.requests


def test_the_policy_asks_for_a_fresh_second_factor_first(console_as, tenant_admin, google):
    tenant = tenant_admin.tenant
    tenant.step_up_risk_level, tenant.step_up_minutes = "low", 15
    tenant.save(update_fields=["step_up_risk_level", "step_up_minutes"])

    started = press(console_as(tenant_admin), "google")

    assert started.status_code == 302 and started["Location"].startswith("/accounts/2fa/")
    assert "press the button again" in " ".join(shown(started))


def test_without_the_installation_settings_the_page_says_what_to_set(console_as, tenant_admin, settings):
    settings.GOOGLE_OAUTH_CLIENT_ID = ""
    client = console_as(tenant_admin)

    page = client.get(CHANGELIST).content.decode()
    refused = press(client, "google")

    assert "not offered on this installation until the operator sets GOOGLE_OAUTH_CLIENT_ID" in page
    assert 'data-testid="connect-google"' not in page
    assert "GOOGLE_OAUTH_CLIENT_ID" in " ".join(shown(refused))


def test_the_page_offers_the_buttons_when_the_settings_exist(console_as, tenant_admin, google):
    page = console_as(tenant_admin).get(CHANGELIST).content.decode()

    assert 'data-testid="connect-google"' in page and "Connect Google Ads" in page


def test_a_revoked_connection_reconnects_with_a_new_refresh_token(
    console_as, tenant_admin, google, django_capture_on_commit_callbacks
):
    connection = AdConnection.objects.create(
        tenant=tenant_admin.tenant, platform="google", account_id="1234567890", client_id=google.client_id,
        refresh_token="1//revoked", state="needs_reauth", state_detail="Token has been expired or revoked.",
    )  # fmt: skip
    client = console_as(tenant_admin)
    change = reverse("admin:adplatforms_adconnection_change", args=[connection.pk])

    assert 'data-testid="reconnect-button"' in client.get(change).content.decode()
    back = come_back(client, press(client, "google", reconnect=str(connection.pk))["Location"])

    assert back.status_code == 302 and back["Location"] == change
    connection.refresh_from_db()
    assert connection.state == "active" and connection.refresh_token == google.refresh_token
    assert AdConnection.objects.count() == 1


def test_another_tenants_connection_cannot_be_reconnected(console_as, outsider, tenant, google):
    connection = AdConnection.objects.create(tenant=tenant, platform="google", account_id="1234567890")

    assert press(console_as(outsider), "google", reconnect=str(connection.pk)).status_code == 404


def test_a_reconnect_with_a_login_that_does_not_reach_the_account_is_refused(console_as, tenant_admin, google):
    connection = AdConnection.objects.create(
        tenant=tenant_admin.tenant, platform="google", account_id="1112223334", refresh_token="1//old",
        state="needs_reauth",
    )  # fmt: skip
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "google", reconnect=str(connection.pk))["Location"])

    assert "does not reach 111-222-3334, the account to reconnect" in " ".join(shown(back))
    connection.refresh_from_db()
    assert (connection.state, connection.refresh_token) == ("needs_reauth", "1//old")


def test_the_admins_are_told_to_press_reconnect_when_the_button_is_offered(
    tenant_admin, google, email_settings, sent_emails
):
    connection = AdConnection.objects.create(
        tenant=tenant_admin.tenant, platform="google", account_id="1234567890", state="needs_reauth",
        state_detail="Token has been expired or revoked.",
    )  # fmt: skip

    assert states.tell_admins_once(connection)

    assert "Open the connection and press Reconnect" in sent_emails[0].text


def test_the_list_links_a_revoked_connection_to_its_reconnect(console_as, tenant_admin, google):
    connection = AdConnection.objects.create(
        tenant=tenant_admin.tenant, platform="google", account_id="1234567890", state="needs_reauth",
    )  # fmt: skip

    page = console_as(tenant_admin).get(CHANGELIST).content.decode()

    change = reverse("admin:adplatforms_adconnection_change", args=[connection.pk])
    assert f'<a href="{change}" data-testid="reconnect-link">Reconnect</a>' in page
