"""`/api/v1/ad-connections/`: tenant admins list, add, change, test, sync and disconnect their connections;
credentials go in and never come out; another tenant's id answers 404."""

import json

import pytest

from adplatforms import errors
from adplatforms.models import AdConnection
from tests.fixtures.ad_sync import DEVELOPER_TOKEN, REFRESH_TOKEN

pytestmark = pytest.mark.django_db

URL = "/api/v1/ad-connections/"


def test_the_list_never_carries_a_credential(api_as, tenant_admin, connection):
    response = api_as(tenant_admin).get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    for secret in (DEVELOPER_TOKEN, REFRESH_TOKEN, "client-s3cr3t-value"):
        assert secret not in body
    [row] = response.json()["results"]
    assert row["id"] == str(connection.pk) and row["state"] == "active" and row["state_words"] == "Active"
    assert row["credentials_set"] == ["developer_token", "client_secret", "refresh_token"]
    assert "developer_token" not in row and "refresh_token" not in row


def test_an_admin_adds_a_connection_due_at_once(api_as, tenant_admin, tenant):
    response = api_as(tenant_admin).post(
        URL, {"platform": "meta", "account_id": "act_42", "app_id": "99", "access_token": "EAAB-secret"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert "EAAB-secret" not in response.content.decode()
    added = AdConnection.objects.get(account_id="act_42")
    assert (added.tenant, added.created_by, added.access_token) == (tenant, tenant_admin, "EAAB-secret")
    assert added.next_sync_at is not None


def test_the_same_account_twice_is_refused(api_as, tenant_admin, connection):
    response = api_as(tenant_admin).post(URL, {"platform": "google", "account_id": "1234567890"}, format="json")
    assert response.status_code == 400 and "already has a connection" in response.json()["detail"]


def test_new_credentials_reauthorise_and_a_blank_keeps_the_stored(api_as, tenant_admin, connection):
    AdConnection.objects.filter(pk=connection.pk).update(state="needs_reauth", admins_told_at="2026-01-01T00:00Z")
    client = api_as(tenant_admin)

    client.patch(f"{URL}{connection.pk}/", {"developer_token": "", "sync_every_minutes": 30}, format="json")
    connection.refresh_from_db()
    assert connection.developer_token == DEVELOPER_TOKEN and connection.state == "needs_reauth"

    response = client.patch(f"{URL}{connection.pk}/", {"refresh_token": "1//new"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "active"
    connection.refresh_from_db()
    assert connection.refresh_token == "1//new" and connection.admins_told_at is None


def test_the_account_is_fixed_once_made(api_as, tenant_admin, connection):
    response = api_as(tenant_admin).patch(f"{URL}{connection.pk}/", {"account_id": "9999999999"}, format="json")
    assert response.status_code == 400 and "account_id" in response.json()


def test_delete_disconnects_and_keeps_the_row(api_as, tenant_admin, connection):
    assert api_as(tenant_admin).delete(f"{URL}{connection.pk}/").status_code == 204
    connection.refresh_from_db()
    assert connection.state == "disabled"


def test_test_answers_connected_or_the_refusal(api_as, tenant_admin, connection, account):
    client = api_as(tenant_admin)
    assert client.post(f"{URL}{connection.pk}/test/").json() == {
        "connected": True,
        "detail": "Connected: Acme Ads, USD, UTC",
    }
    account.fail_next("account", errors.PermissionDenied("The caller does not have permission"))
    assert client.post(f"{URL}{connection.pk}/test/").json() == {
        "connected": False,
        "detail": "Google Ads refused permission: The caller does not have permission",
    }


def test_sync_queues_or_answers_409(api_as, tenant_admin, connection, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("adplatforms.tasks.sync_connection.delay", queued.append)
    client = api_as(tenant_admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{URL}{connection.pk}/sync/").status_code == 202
    assert queued == [str(connection.pk)]

    AdConnection.objects.filter(pk=connection.pk).update(state="disabled")
    response = client.post(f"{URL}{connection.pk}/sync/")
    assert response.status_code == 409 and response.json()["code"] == "connection_not_usable"


def test_only_tenant_admins(api_as, approver, colleague, connection):
    for person in (approver, colleague):
        assert api_as(person).get(URL).status_code == 403


def test_another_tenants_connection_answers_404(api_as, outsider, connection):
    client = api_as(outsider)
    for call in (client.get, client.patch, client.delete):
        assert call(f"{URL}{connection.pk}/").status_code == 404
    assert client.post(f"{URL}{connection.pk}/sync/").status_code == 404
    connection.refresh_from_db()
    assert connection.state == "active"


def test_the_endpoints_are_in_the_openapi_schema(api_as, tenant_admin):
    schema = api_as(tenant_admin).get("/api/schema/", {"format": "json"})
    paths = json.loads(schema.content)["paths"]
    assert {"/api/v1/ad-connections/", "/api/v1/ad-connections/{id}/test/", "/api/v1/ad-connections/{id}/sync/"} <= set(
        paths
    )
    fields = json.loads(schema.content)["components"]["schemas"]["Connection"]["properties"]
    assert fields["developer_token"]["writeOnly"] is True


@pytest.mark.parametrize(
    ("platform", "account_id", "stored"),
    [("google", "123-456-7890", "1234567890"), ("meta", "987654", "act_987654"), ("meta", "act_42", "act_42")],
)
def test_account_ids_are_stored_as_the_platform_writes_them(api_as, tenant_admin, platform, account_id, stored):
    answer = api_as(tenant_admin).post(URL, {"platform": platform, "account_id": account_id}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["account_id"] == stored


@pytest.mark.parametrize(
    ("platform", "account_id"), [("google", "12345"), ("google", "act_1"), ("meta", "0x12"), ("meta", 987654)]
)
def test_an_impossible_account_id_is_refused_and_nothing_stored(api_as, tenant_admin, platform, account_id):
    answer = api_as(tenant_admin).post(URL, {"platform": platform, "account_id": account_id}, format="json")
    assert answer.status_code == 400 and "account_id" in str(answer.json())
    assert not AdConnection.objects.exists()
