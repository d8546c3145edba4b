"""The access log is append-only against the application's own database role too (issue 17, point 7)."""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tenants.models import AccessLog, Tenant
from tenants.privacy.retention import purge_access_logs

pytestmark = [pytest.mark.django_db, pytest.mark.postgres("triggers and roles")]


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


def _placed_in_the_past(record, days_ago):
    """created_at is set on insert and the log refuses updates: the test's superuser steps around the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE tenants_accesslog SET created_at = now() - make_interval(days => %s) WHERE id = %s",
            [days_ago, record.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    return record


@pytest.fixture
def deleter(tenant, tenant_admin, app_role):
    """The application's role, here granted DELETE on the log too; the test runs as it, its records placed first."""
    call_command("grant_app_role", app_role)
    records = {days: _placed_in_the_past(record(tenant, tenant_admin), days) for days in (400, 100, 89)}
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT DELETE ON tenants_accesslog TO "{app_role}"')
        cursor.execute(f'SET ROLE "{app_role}"')
    yield records
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute("RESET walker.accesslog_purge")


def test_a_role_holding_delete_cannot_purge_by_setting_the_purge_flag(deleter):
    with connection.cursor() as cursor:
        cursor.execute("SET walker.accesslog_purge = 'on'")
    assert "append-only (DELETE refused)" in refused("DELETE FROM tenants_accesslog")
    assert "append-only (DELETE refused)" in refused(
        "DELETE FROM tenants_accesslog WHERE id = %s AND set_config('walker.accesslog_purge', 'on', true) = 'on'",
        [deleter[400].pk],
    )
    assert AccessLog.objects.count() == 3


def test_the_purge_function_is_still_the_way_out_and_keeps_its_floor(deleter, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(access_log_retention_days=1)  # below the floor, set past the form
    assert purge_access_logs() == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [deleter[89].pk]


def test_a_temporary_table_cannot_stand_in_for_the_tenants_periods(deleter, tenant):
    """The purge runs as the tables' owner: a caller's temporary tables must not shadow the ones it reads."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE tenants_tenant (id uuid, access_log_retention_days integer)")
        cursor.execute("INSERT INTO tenants_tenant VALUES (%s, 1)", [tenant.pk])
    assert purge_access_logs() == 0  # the tenant keeps its records 1,095 days
    assert AccessLog.objects.count() == 3
