"""How many chat sockets a person holds, on Redis across processes (issue 29): concurrent connects never pass the
cap, the sockets of a daphne that crashed stop counting within CHAT_SOCKET_LEASE_SECONDS, and a count that lost
its keys (expired, flushed) neither lets more sockets through nor goes below zero."""

import asyncio
import json
import os
import time

import pytest
import websocket
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import connection

from tests.daphne import running_daphne
from tests.fixtures.chat import token_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.usefixtures("chat_db"),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL); CI provides it"),
]
LEASE = 2  # seconds: CHAT_SOCKET_LEASE_SECONDS in these tests


@pytest.fixture(autouse=True)
def short_lease(settings):
    settings.CHAT_SOCKET_LEASE_SECONDS = LEASE
    settings.CHAT_MAX_SOCKETS_PER_USER = 3


async def opened(open_tab, user) -> tuple[bool, object]:
    """Connect; (True, tab) once its history arrives, or (False, tab) when it was closed with 4429."""
    _, tab = await open_tab(user)
    output = await tab.ws.receive_output(timeout=10)
    if output["type"] == "websocket.close":
        assert output["code"] == 4429
        return False, tab
    assert json.loads(output["text"])["type"] == "history"
    return True, tab


@pytest.mark.asyncio
async def test_concurrent_connects_never_pass_the_cap_and_closed_sockets_free_their_slots(open_tab, colleague):
    results = await asyncio.gather(*(opened(open_tab, colleague) for _ in range(12)))
    tabs = [tab for accepted, tab in results if accepted]
    assert len(tabs) == 3
    for tab in tabs:
        await tab.close()
    again = await asyncio.gather(*(opened(open_tab, colleague) for _ in range(5)))
    assert sum(accepted for accepted, _ in again) == 3
    for accepted, tab in again:
        if accepted:
            await tab.close()


@pytest.mark.asyncio
async def test_a_count_that_lost_its_keys_neither_lets_more_through_nor_goes_below_zero(open_tab, colleague):
    from django.core.cache import cache

    tabs = [(await opened(open_tab, colleague))[1] for _ in range(3)]
    await asyncio.to_thread(cache.clear)  # Redis restarted empty, or the count's key expired under open sockets
    await asyncio.sleep(LEASE / 2 + 0.2)  # the open sockets renew their leases meanwhile
    assert (await opened(open_tab, colleague))[0] is False
    for tab in tabs:
        await tab.close()
    fresh = [await opened(open_tab, colleague) for _ in range(4)]
    assert [accepted for accepted, _ in fresh] == [True, True, True, False]  # three closed sockets: three slots
    for accepted, tab in fresh:
        if accepted:
            await tab.close()


@pytest.mark.slow
@pytest.mark.processes
@pytest.mark.postgres("the daphne process shares the test database")
def test_the_sockets_of_a_daphne_that_crashed_stop_counting_within_the_lease(tmp_path, open_tab, colleague):
    db = connection.settings_dict
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
        "CHAT_SOCKET_LEASE_SECONDS": str(LEASE),
        "CHAT_MAX_SOCKETS_PER_USER": "3",
    }
    url = "ws://127.0.0.1:{port}/ws/chat/?token=" + token_for(colleague)
    with running_daphne(tmp_path / "daphne.log", **env) as (daphne, port):
        sockets = [websocket.create_connection(url.format(port=port), timeout=10) for _ in range(3)]
        assert all(json.loads(socket.recv())["type"] == "history" for socket in sockets)
        daphne.kill()  # no disconnect runs: nothing is given back
        daphne.wait(10)
    for socket in sockets:
        socket.close()

    async def after_the_crash():
        crashed_at = time.monotonic()
        refused = not (await opened(open_tab, colleague))[0]  # its three sockets still count
        await asyncio.sleep(max(0, crashed_at + LEASE + 0.5 - time.monotonic()))
        accepted, tab = await opened(open_tab, colleague)
        if accepted:
            await tab.close()
        return refused, accepted

    assert async_to_sync(after_the_crash)() == (True, True)  # refused at first, accepted once the lease lapsed
