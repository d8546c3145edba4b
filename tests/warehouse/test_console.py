"""Destinations in the console: a tenant admin adds the tenant's own, a superuser the installation's; the key is
checked, stored encrypted and never shown again; the export's status, tables and batches are on the page."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.warehouse.conftest import events, service_account_key
from warehouse import export
from warehouse.models import DestinationStatus, WarehouseDestination

ADD = reverse("admin:warehouse_warehousedestination_add")


def form(**values):
    return {"project": "acme-data", "dataset_name": "walker", "location": "EU", "enabled": "on",
            "service_account_key": service_account_key(), **values}  # fmt: skip


def change_url(destination):
    return reverse("admin:warehouse_warehousedestination_change", args=[destination.pk])


def test_a_tenant_admin_adds_the_tenants_destination_and_the_key_is_stored_encrypted(console_as, tenant_admin):
    response = console_as(tenant_admin).post(ADD, form())
    assert response.status_code == 302
    saved = WarehouseDestination.objects.get()
    assert (saved.tenant, saved.project, saved.dataset_name, saved.location) == (
        tenant_admin.tenant,
        "acme-data",
        "walker",
        "EU",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT service_account_key FROM warehouse_warehousedestination")
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAAA") and "PRIVATE KEY" not in stored


def test_the_change_page_never_shows_the_key_and_an_empty_key_keeps_it(
    console_as, tenant_admin, destination, bigquery_fake
):
    target = destination(tenant_admin.tenant)
    key = target.service_account_key
    events(tenant_admin.tenant, 3)
    export.export_destination(target)

    page = console_as(tenant_admin).get(change_url(target)).content.decode()
    assert "PRIVATE KEY" not in page and "walker-export@acme-data" not in page
    assert "Exporting" in page
    assert "platform_events: 3 rows sent, through" in page  # each table's progress
    assert "Sent" in page  # the latest batches

    response = console_as(tenant_admin).post(change_url(target), form(service_account_key="", location="US"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.service_account_key == key and target.location == "US"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"service_account_key": "not json"}, "The key is not JSON"),
        ({"service_account_key": '{"type": "authorized_user"}'}, "must be a service account"),
        ({"service_account_key": service_account_key(type="user")}, "its type is “service_account”"),
        ({"service_account_key": service_account_key(private_key="-----BEGIN PRIVATE KEY-----\nxx")},
         "not a valid private key"),
        ({"service_account_key": ""}, "This field is required."),
        ({"project": "Acme Data"}, "A Google Cloud project id"),
        ({"dataset_name": "walker-events"}, "letters, digits and underscores only"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_error(console_as, tenant_admin, values, error):
    response = console_as(tenant_admin).post(ADD, form(**values))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not WarehouseDestination.objects.exists()


def test_a_superuser_adds_the_installations_destination(console_as, superuser):
    assert console_as(superuser).post(ADD, form(tenant="")).status_code == 302
    saved = WarehouseDestination.objects.get()
    assert saved.tenant is None
    listed = console_as(superuser).get(reverse("admin:warehouse_warehousedestination_changelist")).content.decode()
    assert "Every tenant (the installation)" in listed


@pytest.mark.slow
def test_other_tenants_destinations_are_not_found_and_other_roles_are_refused(
    console_as, tenant_admin, approver, other_tenant, destination
):
    theirs = destination(other_tenant)
    assert console_as(tenant_admin).get(change_url(theirs)).status_code == 404
    listed = console_as(tenant_admin).get(reverse("admin:warehouse_warehousedestination_changelist"))
    assert "acme-data.walker" not in listed.content.decode()
    assert console_as(approver).get(reverse("admin:warehouse_warehousedestination_changelist")).status_code == 403


def test_a_stopped_destination_says_why_in_the_list(console_as, tenant_admin, destination):
    destination(tenant_admin.tenant, status=DestinationStatus.STOPPED, status_detail="Permission denied by BigQuery")
    listed = console_as(tenant_admin).get(reverse("admin:warehouse_warehousedestination_changelist"))
    assert "Stopped: permission denied" in listed.content.decode()
