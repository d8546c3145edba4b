"""The journeys' clients, on the live Walker named by WALKER_URL and WALKER_TOKEN (see journeys.py); without
them every journey is skipped."""

from pathlib import Path

import pytest
from journeys import TOKEN, URL

from walker_approvals import AsyncClient, Client

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    if not (URL and TOKEN):
        for item in items:
            if item.path.is_relative_to(HERE):
                item.add_marker(pytest.mark.skip(reason="needs a live Walker: WALKER_URL and WALKER_TOKEN"))


@pytest.fixture
def client():
    with Client(URL, TOKEN) as walker:
        yield walker


@pytest.fixture
async def aclient():
    async with AsyncClient(URL, TOKEN) as walker:
        yield walker
