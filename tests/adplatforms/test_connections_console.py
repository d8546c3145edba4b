"""Connections in the console: tenant admins only, tenant-scoped; credentials write-only (never in the page);
test, sync now and disconnect as actions; the state in plain words; the recent syncs listed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from adplatforms import errors, sync
from adplatforms.models import AdConnection, SyncRun
from tests.fixtures.ad_sync import DEVELOPER_TOKEN, REFRESH_TOKEN

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:adplatforms_adconnection_changelist"


def change_url(connection):
    return reverse("admin:adplatforms_adconnection_change", args=[connection.pk])


def form_data(connection, **values):
    return {
        "platform": connection.platform,
        "account_id": connection.account_id,
        "login_customer_id": "",
        "app_id": "",
        "client_id": connection.client_id,
        "developer_token": "",
        "client_secret": "",
        "refresh_token": "",
        "access_token": "",
        "sync_every_minutes": "60",
        "lookback_days": "",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
        "runs-MIN_NUM_FORMS": "0",
        "runs-MAX_NUM_FORMS": "0",
        **values,
    }


def test_the_list_shows_the_state_in_plain_words(console_as, tenant_admin, connection):
    AdConnection.objects.filter(pk=connection.pk).update(state="needs_reauth", state_detail="Token has been revoked.")

    page = console_as(tenant_admin).get(reverse(CHANGELIST)).content.decode()

    assert "Google Ads" in page and "123-456-7890" in page
    assert "Needs re-authorisation: Google Ads said “Token has been revoked.”" in page


def test_the_change_page_never_carries_a_stored_secret(console_as, tenant_admin, connection, account):
    sync.sync_connection(connection)
    account.fail_next("account", errors.PermissionDenied("USER_PERMISSION_DENIED"))
    sync.sync_connection(connection)

    page = console_as(tenant_admin).get(change_url(connection)).content.decode()

    for secret in (DEVELOPER_TOKEN, REFRESH_TOKEN, "client-s3cr3t-value"):
        assert secret not in page
    assert "Stored encrypted, never shown again" in page
    assert 'type="password"' in page
    assert "Google Ads refused permission: USER_PERMISSION_DENIED" in page  # the recent syncs


def test_a_blank_credential_keeps_the_stored_one_and_a_new_one_reauthorises(
    console_as, tenant_admin, connection, django_capture_on_commit_callbacks
):
    AdConnection.objects.filter(pk=connection.pk).update(state="needs_reauth", admins_told_at="2026-01-01T00:00Z")
    client = console_as(tenant_admin)

    client.post(change_url(connection), form_data(connection, sync_every_minutes="30"))
    connection.refresh_from_db()
    assert connection.developer_token == DEVELOPER_TOKEN and connection.refresh_token == REFRESH_TOKEN
    assert connection.sync_every_minutes == 30 and connection.state == "needs_reauth"

    response = client.post(change_url(connection), form_data(connection, refresh_token="1//new-refresh"))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.refresh_token == "1//new-refresh" and connection.developer_token == DEVELOPER_TOKEN
    assert (connection.state, connection.admins_told_at) == ("active", None)
    assert connection.next_sync_at is not None


def test_a_new_connection_belongs_to_the_admins_tenant_and_is_due_at_once(console_as, tenant_admin, tenant):
    blank = AdConnection(platform="meta", account_id="act_77", client_id="")
    response = console_as(tenant_admin).post(
        reverse("admin:adplatforms_adconnection_add"), form_data(blank, access_token="EAAB-token")
    )

    assert response.status_code == 302
    added = AdConnection.objects.get(account_id="act_77")
    assert added.tenant == tenant and added.created_by == tenant_admin and added.access_token == "EAAB-token"
    assert added.next_sync_at is not None


def test_test_connection_says_connected_or_the_platforms_refusal(console_as, tenant_admin, connection, account):
    client = console_as(tenant_admin)
    act = {"action": "test_connection", "_selected_action": [str(connection.pk)]}

    page = client.post(reverse(CHANGELIST), act, follow=True).content.decode()
    assert "Connected: Acme Ads, USD, UTC" in page

    account.fail_next("account", errors.AuthorizationExpired("Token has been expired or revoked."))
    page = client.post(reverse(CHANGELIST), act, follow=True).content.decode()
    assert "Google Ads authorisation expired: Token has been expired or revoked." in page


def test_sync_now_queues_a_sync_or_says_why_not(
    console_as, tenant_admin, connection, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("adplatforms.tasks.sync_connection.delay", queued.append)
    act = {"action": "sync_now", "_selected_action": [str(connection.pk)]}
    client = console_as(tenant_admin)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse(CHANGELIST), act, follow=True).content.decode()
    assert "a sync is on its way" in page and queued == [str(connection.pk)]

    AdConnection.objects.filter(pk=connection.pk).update(state="disabled")
    page = client.post(reverse(CHANGELIST), act, follow=True).content.decode()
    assert "Disconnected: no syncs and no changes" in page and len(queued) == 1


def test_disconnect_stops_syncs(console_as, tenant_admin, connection):
    console_as(tenant_admin).post(
        reverse(CHANGELIST), {"action": "disconnect", "_selected_action": [str(connection.pk)]}
    )
    connection.refresh_from_db()
    assert connection.state == "disabled" and connection.next_sync_at is None
    with pytest.raises(sync.NotSyncable):
        sync.sync_connection(connection)


def test_only_tenant_admins_see_connections(console_as, approver, support, connection):
    for person in (approver, support):
        client = console_as(person)
        assert client.get(reverse(CHANGELIST)).status_code == 403
        assert client.get(change_url(connection)).status_code == 403


def test_another_tenants_connection_answers_404(console_as, outsider, connection):
    client = console_as(outsider)
    assert client.get(change_url(connection)).status_code == 404
    assert str(connection.pk) not in client.get(reverse(CHANGELIST)).content.decode()


def test_the_console_reads_in_spanish(console_as, tenant_admin, connection):
    tenant_admin.language = "es"
    tenant_admin.save(update_fields=["language"])
    AdConnection.objects.filter(pk=connection.pk).update(state="disabled")

    page = console_as(tenant_admin).get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Desconectada: ni sincronizaciones ni cambios" in page


def test_the_page_lists_the_latest_runs_only(console_as, tenant_admin, connection):
    for number in range(25):
        run = SyncRun.objects.create(tenant=connection.tenant, connection=connection, error=f"run number {number:02d}")
        SyncRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=25 - number))

    page = console_as(tenant_admin).get(change_url(connection)).content.decode()

    assert "run number 24" in page and "run number 05" in page
    assert "run number 04" not in page
