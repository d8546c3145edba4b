"""Marketing files as the tests write them, and exports of a tenant's rows with the import resources."""

import pytest

from agents.imports import KINDS
from tenants.roles import Role
from tests.factories import TenantFactory, UserFactory


def export_csv(kind: str, tenant) -> str:
    """The tenant's rows of `kind` as CSV, written by the resource that imports them, in key order."""
    resource = KINDS[kind](tenant=tenant)
    keys = [resource.fields[name].attribute for name in resource.get_import_id_fields()]
    order = ["campaign__name" if key == "campaign" else key for key in keys]
    return resource.export(resource.get_queryset().order_by(*order)).csv


def csv_text(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def admin_of(db):
    """A tenant admin of a new tenant named `slug`."""

    def make(slug: str):
        tenant = TenantFactory(name=slug.title(), slug=slug, timezone="America/Los_Angeles")
        return UserFactory(tenant=tenant, role=Role.ADMIN, email=f"admin@{slug}.test")

    return make
