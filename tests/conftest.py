"""What every suite may use: the people of two tenants (admin, colleague, requester, approvers, support, one person
per role, an outsider), API and console clients, the scripted engine, real workers; the `postgres` skip. Fixtures
of a channel or of approvals are in tests/fixtures, registered here."""

import gc
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from agents.engines.base import EngineReply
from config.celery import app as celery_app
from tenants.roles import Role
from tests.factories import TenantFactory, UserFactory
from tests.workers import QUEUES, process_database_url, process_environment

# Tasks run where they are queued, their errors raised to the test; the `broker` fixture sends them to real workers.
# (Here, not in tests/settings.py, while config.settings spells Celery's defaults out: tests/config/test_celery.py.)
celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)

# Fixtures more than one suite uses, in one place each.
pytest_plugins = [
    "tests.time_limit",
    "tests.template_database",
    "tests.process_groups",
    "tests.shape_free",
    "tests.fixtures.ad_sync",
    "tests.fixtures.approvals",
    "tests.fixtures.chat",
    "tests.fixtures.email",
    "tests.fixtures.two_currencies",
    "tests.fixtures.whatsapp",
]


@pytest.fixture(scope="session", autouse=True)
def _close_worker_thread_connections(django_db_setup):
    """Let the test database be dropped at the end.

    Channels' test communicators turn `close_old_connections` into a no-op, so a
    database_sync_to_async call made while a test talks to a consumer leaves its
    worker thread's connection open. Those threads are gone by now, but their
    connections only close when collected; PostgreSQL refuses to drop a database
    that still has sessions ("is being accessed by other users"). Frozen objects are collected too: importing
    config.asgi freezes the heap of the test process (config.heap), and a collection never looks at frozen ones.
    """
    yield
    gc.unfreeze()
    gc.collect()


@pytest.fixture(scope="session", autouse=True)
def _console_rendered_once(django_db_setup, django_db_blocker):
    """Render the console once in each worker, before its first test, and roll back what it made.

    The first page a process renders builds the URL resolver, compiles the admin's templates and the sidebar
    (1.3 to 1.6 s of processor); that is the worker's cost, not the cost of whichever test comes first, which
    tests/time_limit.py would otherwise fail.
    """
    if not Path(str(connection.settings_dict["NAME"])).name.startswith(("test_", "test-")):
        return  # no test of this run uses the database, so pytest-django made none: nothing to render
    with django_db_blocker.unblock(), transaction.atomic():
        person = UserFactory(tenant=None, is_superuser=True, email="warm-up@walker.test")
        console = Client()
        console.force_login(person)
        for page in ("admin:index", "admin:tenants_tenant_changelist", "admin:hitl_hitlapproval_changelist"):
            console.get(reverse(page))
        transaction.set_rollback(True)


def pytest_sessionfinish(session):
    """Django deletes the SQLite test database file but not its WAL and shared-memory companions."""
    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name:
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


# Rows a flush would delete and its post_migrate write back the same (every model's content type and permissions):
# rebuilding them was three quarters of each transactional test's flush. Kept, with the ids the caches hold.
REBUILT_BY_MIGRATE = {"django_content_type", "auth_permission"}


@pytest.fixture(scope="session", autouse=True)
def _flush_cheaply():
    """Transactional tests end with Django's flush: every table emptied, then post_migrate. Two changes:

    - the tables post_migrate writes back unchanged (REBUILT_BY_MIGRATE) keep their rows, and the two receivers
      that write them (Django's content types and permissions) are left out of that flush's post_migrate: they
      only read them back, app by app (a hundred statements, about 0.1 s a flush); every other receiver runs;
    - on PostgreSQL, the tables are emptied by DELETE, not Django's one TRUNCATE of every table (about 0.4 s each
      time, a new file per table, and refused by the access log's trigger), as the test database's superuser, who
      may step around triggers, foreign keys' included, for that transaction; the application's own role cannot
      (tenants/migrations/0006).

    A flush that resets sequences or cascades is Django's own."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.core.management.commands import flush
    from django.db.backends.postgresql.base import DatabaseOperations as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseOperations as SQLite
    from django.db.models.signals import post_migrate

    kept = []  # the flush under way kept REBUILT_BY_MIGRATE (the command makes its SQL, then sends post_migrate)

    def kept_apart(djangos, plain):
        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
            if reset_sequences or allow_cascade:
                kept.clear()  # emptied: post_migrate writes them back
                return djangos(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            kept.append(True)
            return plain(self, style, [table for table in tables if table not in REBUILT_BY_MIGRATE])

        return sql_flush

    def without_rebuilding(emit, permissions_uid="django.contrib.auth.management.create_permissions"):
        def emit_post_migrate_signal(*args, **kwargs):
            if not kept:
                return emit(*args, **kwargs)
            kept.clear()
            post_migrate.disconnect(create_contenttypes)
            post_migrate.disconnect(dispatch_uid=permissions_uid)
            try:
                return emit(*args, **kwargs)
            finally:  # connected again as django.contrib's apps connect them
                post_migrate.connect(create_contenttypes)
                post_migrate.connect(create_permissions, dispatch_uid=permissions_uid)

        return emit_post_migrate_signal

    def by_delete(self, style, tables):
        if not tables:
            return []
        statements = " ".join(f"DELETE FROM {self.quote_name(table)};" for table in tables)
        return [f"SET LOCAL session_replication_role = replica; {statements}"]  # one round trip

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgreSQL, "sql_flush", kept_apart(PostgreSQL.sql_flush, by_delete))
        patch.setattr(SQLite, "sql_flush", kept_apart(SQLite.sql_flush, SQLite.sql_flush))
        patch.setattr(flush, "emit_post_migrate_signal", without_rebuilding(flush.emit_post_migrate_signal))
        yield


@pytest.fixture
def live_db(transactional_db):
    """Committed data, visible to other threads (consumers, concurrent deciders). The flush after it puts the system
    agents back (agents/system_agents.py)."""


@pytest.fixture
def postgres_only(live_db):
    """Committed data for real row locks and concurrent connections: its tests are `postgres` tests (below)."""


def pytest_collection_modifyitems(config, items):
    """Skip the `postgres` tests on SQLite, each saying what it needs. A test of the `postgres_only` fixture is one
    (row locks and concurrent connections), so `-m postgres` selects it too."""
    for item in items:
        if "postgres_only" in item.fixturenames and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres("row locks and concurrent connections"))
        marker = item.get_closest_marker("postgres")
        if marker is not None and connection.vendor != "postgresql":
            why = marker.args[0] if marker.args else "its own features"
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL ({why}); CI runs it (DATABASE_URL)"))


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """Fake provider servers (pytest-httpserver) listen on loopback by address, any free port."""
    return ("127.0.0.1", 0)


@pytest.fixture
def loopback_receivers(settings):
    """Let tenant-set URLs reach the fake receivers on 127.0.0.1 (tenants.outbound refuses loopback otherwise)."""
    settings.OUTBOUND_ALLOW_HTTP = True
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache (Redis in CI); each test starts from zero."""
    cache.clear()
    yield


@pytest.fixture
def tenant(db):
    return TenantFactory(name="Acme Outdoor", slug="acme")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(name="Globex", slug="globex")


@pytest.fixture
def tenant_admin(tenant):
    return UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.test")


@pytest.fixture
def colleague(tenant):
    return UserFactory(tenant=tenant, role=Role.MEMBER, email="colleague@acme.test")


@pytest.fixture
def outsider(other_tenant):
    return UserFactory(tenant=other_tenant, role=Role.ADMIN, email="admin@globex.test")


@pytest.fixture
def requester(tenant):
    return UserFactory(tenant=tenant, role=Role.MEMBER, email="requester@acme.test")


@pytest.fixture
def approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="approver@acme.test")


@pytest.fixture
def second_approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="approver2@acme.test")


@pytest.fixture
def support(tenant):
    return UserFactory(
        tenant=tenant, role=Role.SUPPORT, first_name="Support", last_name="Smith", email="support@acme.test"
    )


@pytest.fixture
def staff(tenant, support):
    """One person of the tenant per role, named "<Role> Smith" (customers are shown names, never addresses); the
    support person is `support`."""
    people = {
        role: UserFactory(tenant=tenant, role=role, first_name=role.label, last_name="Smith", email=f"{role}@acme.test")
        for role in (Role.ADMIN, Role.APPROVER, Role.COMPLIANCE, Role.MEMBER)
    }
    return {Role.ADMIN: people[Role.ADMIN], Role.SUPPORT: support, **people}


@pytest.fixture
def superuser(db):
    return UserFactory(tenant=None, is_superuser=True, email="root@walker.test")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """An API client authenticated as the given user."""

    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def console_as(client):
    """A browser-like client signed in to the admin console as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


class ScriptedEngine:
    """Stands in for an engine back-end: replies as told and remembers what it was asked."""

    external = False  # like the built-in engine: runs inside Walker

    def __init__(self):
        self.reply = EngineReply(text="Here is what I found.")
        self.error: Exception | None = None
        self.seconds = 0.0  # how long it thinks before replying
        self.requests = []

    def run(self, request):
        self.requests.append(request)
        time.sleep(self.seconds)
        if self.error is not None:
            raise self.error
        return self.reply


@pytest.fixture
def engine(monkeypatch):
    """The pipeline's engine, scripted by the test."""
    scripted = ScriptedEngine()
    monkeypatch.setattr("conversations.pipeline.answering.get_engine", lambda *args: scripted)
    return scripted


# --- real Celery workers on the Redis broker ------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def broker(postgres_only, monkeypatch):
    """Tasks go to the Redis broker (not run eagerly in the test), on the test run's own Redis database; the queues
    start and end empty."""
    if not settings.REDIS_URL:
        pytest.skip("needs the Redis broker (REDIS_URL); CI sets it")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*QUEUES)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    yield
    client.delete(*QUEUES)


@pytest.fixture
def start_worker(tmp_path):
    """Start real `celery worker` processes on the test database; every one still running is killed at the end.

    `start(pool="solo", concurrency=1, **env)`: prefork with two processes is what production runs.
    """
    env = process_environment(
        DATABASE_URL=process_database_url(), REDIS_URL=settings.REDIS_URL, CELERY_BROKER_URL=settings.CELERY_BROKER_URL
    )
    started = []

    def start(pool="solo", concurrency=1, **extra_env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115  (closed with the process)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "-Q",
                ",".join(QUEUES),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"recovery-{len(started)}@%h",
            ],  # fmt: skip
            cwd=ROOT,
            env={**env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        log.close()
