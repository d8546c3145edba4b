"""The database pool hands out a connection given back moments ago without a check round trip, and still
replaces one that died while idle (config.postgresql)."""

import contextlib
import time
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg_pool import ConnectionPool

from config.postgresql import base
from config.postgresql.base import DatabaseWrapper, check_unless_just_used


@pytest.fixture
def pool(postgres_only):
    """A real pool on the test database with the backend's check; given back through the backend's close."""
    params = connection.get_connection_params()
    opened = ConnectionPool(kwargs={**params, "autocommit": True}, min_size=1, max_size=1, check=check_unless_just_used)
    yield opened
    opened.close()


@contextlib.contextmanager
def taken(pool):
    """A connection from `pool`, given back as Django's backend gives it back (noting when)."""
    conn = pool.getconn()
    try:
        yield conn
    finally:
        conn.walker_given_back_at = time.monotonic()
        pool.putconn(conn)


def backend_pid(conn) -> int:
    return conn.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_a_connection_given_back_just_now_is_handed_out_without_a_round_trip(pool):
    with taken(pool) as conn:
        first = backend_pid(conn)
    with mock.patch.object(ConnectionPool, "check_connection", wraps=ConnectionPool.check_connection) as check:
        with taken(pool) as conn:
            assert backend_pid(conn) == first
        assert check.call_count == 0
        with mock.patch.object(base.time, "monotonic", return_value=time.monotonic() + 1):
            with taken(pool) as conn:
                assert backend_pid(conn) == first
        assert check.call_count == 1  # idle past the window: checked


def test_a_connection_that_died_while_idle_is_replaced(pool):
    with taken(pool) as conn:
        dead = backend_pid(conn)
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [dead])
    with mock.patch.object(base.time, "monotonic", return_value=time.monotonic() + base.RECHECK_AFTER_SECONDS):
        with taken(pool) as conn:
            assert backend_pid(conn) != dead  # the check found it gone; a new one was opened


def test_the_backend_gives_djangos_pool_this_check(postgres_only):
    settings_dict = {**connection.settings_dict, "OPTIONS": {"pool": {"min_size": 0, "max_size": 1}}}
    settings_dict["CONN_HEALTH_CHECKS"] = True
    wrapper = DatabaseWrapper(settings_dict, alias="pool-check-probe")
    try:
        assert wrapper.pool._check is check_unless_just_used
        wrapper.ensure_connection()
        given_back = wrapper.connection
        wrapper.close()  # Django's end of a request: the connection goes back to the pool, noted
        assert time.monotonic() - given_back.walker_given_back_at < 1
    finally:
        wrapper.close_pool()
    assert settings.DATABASES["default"]["ENGINE"] in ("config.postgresql", "django.db.backends.postgresql")
