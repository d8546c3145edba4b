"""Walker's migrations: the models and the migrations agree, each app's old chain is squashed into one migration (two
for tenants) that a database migrated by the old chain counts as applied, and the database they build holds what the
models describe and, on PostgreSQL, the triggers and functions they do not."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

OURS = ["adplatforms", "agents", "alerts", "analytics", "briefs", "channels_app", "conversations", "hitl", "tenants"]
OURS += ["warehouse"]
BEFORE_THE_SQUASH = {
    tuple(line.split())
    for line in (Path(__file__).parent / "migrations_before_the_squash.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}

SINCE_THE_LAST_RELEASE = {
    ("analytics", "0002_approval_costs_per_currency"),
    ("channels_app", "0002_slack_from_hitl"),
    ("hitl", "0002_risk_as_filed"),
    ("hitl", "0006_slack_moves_to_channels_app"),
    ("tenants", "0003_sign_in_domain_proof"),
    ("tenants", "0004_forget_allauth_email_addresses"),
}


def _squashes(loader) -> dict:
    return {key: m for key, m in loader.disk_migrations.items() if key[0] in OURS and m.replaces}


@pytest.mark.django_db  # it checks the history recorded in the database too
def test_the_models_need_no_new_migration():
    call_command("makemigrations", check=True, dry_run=True, stdout=StringIO())  # SystemExit(1) when they do


def test_the_squashes_replace_each_migration_of_the_old_chain_once():
    replaced = [tuple(name) for m in _squashes(MigrationLoader(None)).values() for name in m.replaces]
    assert len(BEFORE_THE_SQUASH) == 119
    assert sorted(replaced) == sorted(BEFORE_THE_SQUASH)


@pytest.mark.django_db
def test_a_database_migrated_by_the_old_chain_has_nothing_of_the_squashes_to_apply():
    """django_migrations lists the old names only (as on a database the last release migrated): each squash counts
    as applied, and `migrate` plans none of them, only the migrations that came after that release."""
    recorded = MigrationRecorder(connection).migration_qs
    recorded.filter(app__in=OURS).delete()
    recorded.bulk_create(MigrationRecorder.Migration(app=app, name=name) for app, name in sorted(BEFORE_THE_SQUASH))

    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    assert set(_squashes(executor.loader)) <= set(executor.loader.applied_migrations)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert not [migration for migration, _backwards in plan if migration.replaces]
    # What came after that release, with the data it brings existing rows (domains unproven, addresses forgotten).
    planned = {(migration.app_label, migration.name) for migration, _backwards in plan}
    assert planned >= SINCE_THE_LAST_RELEASE


def _catalog(cursor) -> tuple[dict, set]:
    """{(table, column): nullable} and every constraint and index name, read from the catalog at once (Django's
    introspection, table by table, takes a second)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        columns = {(table, column): nullable for table, column, nullable in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            " UNION SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        )
        return columns, {name for (name,) in cursor.fetchall()}
    cursor.execute(
        'SELECT m.name, c.name, NOT c."notnull" FROM sqlite_master AS m, pragma_table_xinfo(m.name) AS c'
        " WHERE m.type = 'table'"
    )
    columns = {(table, column): bool(nullable) for table, column, nullable in cursor.fetchall()}
    cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'table')")
    names = set()
    for kind, name, sql in cursor.fetchall():  # a table holds its CHECK and unconditional UNIQUE constraints
        names |= {name} if kind == "index" else set(re.findall(r'CONSTRAINT "(\w+)"', sql or ""))
    return columns, names


@pytest.mark.django_db
def test_the_database_has_each_models_table_columns_indexes_and_constraints():
    """The test database is built by the migrations: what the models describe is there, as they describe it."""
    with connection.cursor() as cursor:
        columns, names = _catalog(cursor)
    missing = []
    for model in (m for app in OURS for m in apps.get_app_config(app).get_models(include_auto_created=True)):
        table = model._meta.db_table
        for field in model._meta.local_concrete_fields:
            if (table, field.column) not in columns:
                missing.append(f"{table}.{field.column}")
            elif columns[table, field.column] != field.null and not field.generated:  # generated: nullable
                missing.append(f"{table}.{field.column} null={columns[table, field.column]}")
        wanted = {i.name for i in model._meta.indexes} | {c.name for c in model._meta.constraints}
        missing += [f"{table}: {name}" for name in sorted(wanted - names)]
    assert missing == []


TRIGGERS = {
    "tenants_accesslog": ["tenants_accesslog_append_only", "tenants_accesslog_no_truncate"],
    "hitl_hitlapprovalhistory": [
        "hitl_history_append_only",
        "hitl_history_goes_with_its_approval",
        "hitl_history_no_truncate",
    ],
}


@pytest.mark.postgres("triggers and functions")
@pytest.mark.django_db
def test_on_postgresql_the_append_only_triggers_and_their_functions_are_there():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2")
        triggers = {}
        for table, name in cursor.fetchall():
            triggers.setdefault(table, []).append(name)
        cursor.execute(
            "SELECT proname, prosecdef FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            " AND (proname LIKE 'tenants\\_accesslog\\_%%' OR proname LIKE 'hitl\\_history\\_%%')"
        )
        functions = dict(cursor.fetchall())
    assert triggers == TRIGGERS
    assert functions == {
        **{name: False for names in TRIGGERS.values() for name in names},
        "tenants_accesslog_purge": True,  # SECURITY DEFINER: the application's role may call it
        "hitl_history_erase_notes": True,
    }


@pytest.mark.postgres("index and constraint names")
@pytest.mark.django_db
def test_on_postgresql_a_new_database_has_the_names_the_old_chain_left():
    with connection.cursor() as cursor:
        user = connection.introspection.get_constraints(cursor, "tenants_user")
        address = connection.introspection.get_constraints(cursor, "tenants_undeliverableaddress")
    assert user["tenants_user_email_hash_66a0f1c7_uniq"]["unique"]
    assert address["tenants_undeliverableaddress_email_45ba9b49_like"]["columns"] == ["address_hash"]
