"""walker_websockets_open follows chat and console sockets from accept to disconnect."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from channels_app.console.consumer import ConsoleConsumer
from tests.fixtures.chat import token_for
from tests.metrics.conftest import value

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]
OPEN = "walker_websockets_open"


async def test_a_chat_socket_counts_while_open(open_tab, colleague):
    before = value(OPEN, consumer="chat")
    token = await database_sync_to_async(token_for)(colleague)
    connected, tab = await open_tab(token=token)
    assert connected and (await tab.next())["type"] == "history"
    assert value(OPEN, consumer="chat") == before + 1
    await tab.close()
    assert value(OPEN, consumer="chat") == before


async def test_a_refused_socket_is_not_left_counted(open_tab):
    before = value(OPEN, consumer="chat")
    connected, tab = await open_tab()  # anonymous: accepted, then closed with 4401
    output = await tab.ws.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4401}
    await tab.ws.disconnect(timeout=5)  # as daphne does once the closed connection is gone
    assert value(OPEN, consumer="chat") == before


async def test_a_console_socket_counts_while_open(tenant_admin):
    before = value(OPEN, consumer="console")
    communicator = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    communicator.scope["user"] = tenant_admin
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert value(OPEN, consumer="console") == before + 1
    await communicator.disconnect(timeout=10)
    assert value(OPEN, consumer="console") == before
