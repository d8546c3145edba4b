"""The access log is append-only against the application's own database role too (issue 17, point 7)."""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tenants.models import AccessLog

pytestmark = pytest.mark.usefixtures("postgres")


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("triggers and roles: PostgreSQL (CI runs it)")


def refused(statement, params=None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(caught.value)


def record(tenant, user):
    return AccessLog.objects.create(
        tenant=tenant, actor=user, actor_ref="ref", object_type="conversations.conversation", object_id="x"
    )


def test_truncate_is_refused_even_for_the_owner(tenant, tenant_admin):
    record(tenant, tenant_admin)
    assert "TRUNCATE refused" in refused("TRUNCATE tenants_accesslog")
    assert AccessLog.objects.count() == 1


@pytest.fixture
def app_role(db):
    """A fresh login-less role; created inside the test's transaction, so it vanishes with the rollback."""
    name = f"walker_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}"')
    return name


def test_the_app_role_writes_rows_but_cannot_truncate_delete_or_disable_triggers(tenant, tenant_admin, app_role):
    call_command("grant_app_role", app_role)
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
    try:
        record(tenant, tenant_admin)
        assert AccessLog.objects.count() == 1
        assert "permission denied" in refused("TRUNCATE tenants_accesslog")
        assert "permission denied" in refused("DELETE FROM tenants_accesslog")
        assert "permission denied" in refused("UPDATE tenants_accesslog SET object_id = 'y'")
        assert "must be owner" in refused("ALTER TABLE tenants_accesslog DISABLE TRIGGER ALL")
        assert "permission denied" in refused("SET session_replication_role = replica")
        tenant_admin.first_name = "Ada"
        tenant_admin.save(update_fields=["first_name"])  # ordinary tables: read and write
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_the_command_refuses_a_missing_or_owning_role(db):
    with pytest.raises(CommandError, match="No role"):
        call_command("grant_app_role", "walker_no_such_role")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError):
        call_command("grant_app_role", owner)
