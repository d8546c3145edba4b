import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator, WebsocketCommunicator

from config.asgi import application

# Django (per request) and Channels (per connection) close stale database connections.
pytestmark = pytest.mark.django_db


def test_http_is_routed_to_django():
    response = async_to_sync(
        HttpCommunicator(application, "GET", "/healthz", headers=[(b"host", b"localhost")]).get_response
    )()
    assert response["status"] == 200


def test_websocket_from_a_foreign_origin_is_refused():
    async def connect():
        communicator = WebsocketCommunicator(application, "/ws/chat/", headers=[(b"origin", b"https://evil.test")])
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(connect)() is False
