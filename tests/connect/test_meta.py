"""Connect Meta: Facebook Login for Business, the code exchanged and then for a long-lived token, the person's ad
accounts (`me/adaccounts`, closed ones left out) to pick from; refusals in plain words."""

import pytest
from django.urls import reverse

from adplatforms.models import AdConnection
from tests.connect.conftest import come_back, press, query, shown

pytestmark = pytest.mark.django_db


def test_an_admin_connects_a_meta_ad_account_with_a_long_lived_token(
    console_as, tenant_admin, meta, settings, django_capture_on_commit_callbacks
):
    settings.META_LOGIN_CONFIG_ID = "998877"
    client = console_as(tenant_admin)
    started = press(client, "meta")
    asked = query(started["Location"])
    assert started["Location"].startswith(meta.dialog_url)
    assert (asked["client_id"], asked["config_id"], asked["response_type"]) == (meta.app_id, "998877", "code")

    back = come_back(client, started["Location"])
    assert "/pick/" in back["Location"], shown(back)
    page = client.get(back["Location"]).content.decode()
    assert "Acme Outdoor" in page and "Acme Retail" in page and "Old shop" not in page  # closed: left out
    assert meta.token not in page
    done = client.post(back["Location"], {"account": "act_456"})

    connection = AdConnection.objects.get(tenant=tenant_admin.tenant)
    assert done["Location"] == reverse("admin:adplatforms_adconnection_change", args=[connection.pk])
    assert (connection.platform, connection.account_id, connection.currency) == ("meta", "act_456", "EUR")
    assert connection.access_token == meta.token and meta.token.startswith("EAAGfakeLongLived")
    assert connection.app_id == meta.app_id
    exchanged = [r.params.get("grant_type", "code") for r in meta.requests_to("oauth/access_token")]
    assert exchanged == ["code", "fb_exchange_token"]


def test_the_dialog_asks_for_the_permissions_by_scope_without_a_configuration(console_as, tenant_admin, meta):
    asked = query(press(console_as(tenant_admin), "meta")["Location"])

    assert asked["scope"] == "ads_management,ads_read,business_management" and "config_id" not in asked


def test_cancelling_facebook_login_connects_nothing(console_as, tenant_admin, meta):
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "meta")["Location"], allow=False)

    assert "You did not allow Walker to use your Meta accounts" in " ".join(shown(back))
    assert not AdConnection.objects.exists()


def test_a_person_with_no_ad_accounts_is_told(console_as, tenant_admin, meta):
    meta.people_accounts = ["act_789"]  # closed only
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "meta")["Location"])

    assert "reaches no ad account Walker can manage" in " ".join(shown(back))


def test_a_meta_account_another_tenant_connected_is_refused(console_as, tenant_admin, outsider, meta):
    AdConnection.objects.create(tenant=outsider.tenant, platform="meta", account_id="act_123")
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "meta")["Location"])
    done = client.post(back["Location"], {"account": "act_123"})

    assert "already connected to Walker by another organisation" in " ".join(shown(done))
    assert not AdConnection.objects.filter(tenant=tenant_admin.tenant).exists()


def test_a_wrong_app_secret_is_said_plainly(console_as, tenant_admin, meta, settings):
    settings.META_APP_SECRET = "not-the-secret"
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "meta")["Location"])

    assert "Meta refused to finish the sign-in" in " ".join(shown(back))
    assert "not-the-secret" not in " ".join(shown(back))


def test_a_meta_connection_whose_token_expired_reconnects(
    console_as, tenant_admin, meta, django_capture_on_commit_callbacks
):
    connection = AdConnection.objects.create(
        tenant=tenant_admin.tenant, platform="meta", account_id="act_123", access_token="EAAGexpired",
        state="needs_reauth", state_detail="Error validating access token: Session has expired",
    )  # fmt: skip
    client = console_as(tenant_admin)
    back = come_back(client, press(client, "meta", reconnect=str(connection.pk))["Location"])

    assert back["Location"] == reverse("admin:adplatforms_adconnection_change", args=[connection.pk])
    connection.refresh_from_db()
    assert connection.state == "active" and connection.access_token == meta.token != "EAAGexpired"
