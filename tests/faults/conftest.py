import shutil

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.faults.harness import DatabaseProxy, Outside, Stack
from tests.workers import process_database_url


@pytest.fixture
def outside():
    server = Outside()
    yield server
    server.close()


def _stack(tmp_path, database_url, outside):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL) like the other real-worker tests; CI sets it")
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server program, to run a Redis of the test's own")
    return Stack(tmp_path, database_url, outside)


@pytest.fixture
def stack(postgres_only, tmp_path, outside):
    """Walker's processes on the test database and a Redis server of this test's own (see harness.py)."""
    stack = _stack(tmp_path, process_database_url(), outside)
    yield stack
    stack.close()
    print(stack.logs())  # shown when the test failed


@pytest.fixture
def database_proxy(postgres_only):
    proxy = DatabaseProxy(int(connection.settings_dict["PORT"] or 5432))
    yield proxy
    proxy.close()


@pytest.fixture
def stack_behind_proxy(postgres_only, tmp_path, outside, database_proxy):
    """As `stack`, its processes reaching the test database through `database_proxy` (the test's own connection
    does not: it checks the outcome through the cut)."""
    stack = _stack(tmp_path, database_proxy.url(process_database_url()), outside)
    yield stack
    stack.close()
    print(stack.logs())


@pytest.fixture
def token_of():
    """A person's DRF API token."""
    return lambda user: Token.objects.get_or_create(user=user)[0].key
