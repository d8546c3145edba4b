"""A fake Walker on 127.0.0.1 (pytest-httpserver) for the clients' unit tests."""

import pytest

from fake_walker import FAST
from walker_approvals import AsyncClient, Client


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def client(httpserver):
    with Client(httpserver.url_for("/"), "secret", retry=FAST) as walker:
        yield walker


@pytest.fixture
async def aclient(httpserver):
    async with AsyncClient(httpserver.url_for("/"), "secret", retry=FAST) as walker:
        yield walker
