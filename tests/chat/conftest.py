import pytest
from channels.testing import WebsocketCommunicator

from channels_app.chat.consumer import ChatConsumer
from channels_app.chat.tokens import issue
from config.asgi import application

TIMEOUT = 5


@pytest.fixture
def chat_db(live_db, settings):
    """Consumers work in other threads, so tests need committed data; each test gets a fresh in-memory layer.

    The same flows on the Redis layer are in test_redis_layer.py.
    """
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class Tab:
    """One browser tab's socket, with helpers to read frames.

    The worker's `agent_typing` frames are set aside in `typing`: they are not numbered, and where
    tasks run eagerly (tests) they may arrive around the answer they announce.
    """

    def __init__(self, communicator):
        self.ws = communicator
        self.typing = []

    async def send(self, frame: dict):
        await self.ws.send_json_to(frame)

    async def say(self, text, client_msg_id=None, **extra):
        await self.send({"type": "send_message", "message": text, "client_msg_id": client_msg_id, **extra})

    async def next(self, timeout=TIMEOUT) -> dict:
        while True:
            frame = await self.ws.receive_json_from(timeout=timeout)
            if frame["type"] != "agent_typing":
                return frame
            self.typing.append(frame)

    async def until(self, kind: str, timeout=TIMEOUT) -> list[dict]:
        """Frames up to and including the first of type `kind`."""
        frames = []
        while True:
            try:
                frames.append(await self.next(timeout))
            except TimeoutError:
                raise AssertionError(f"no {kind} frame within {timeout}s; got {[f['type'] for f in frames]}") from None
            if frames[-1]["type"] == kind:
                return frames

    async def quiet(self, timeout=0.3) -> bool:
        """Nothing but the worker's typing frames arrives within `timeout`."""
        while not await self.ws.receive_nothing(timeout=timeout):  # a timed-out receive would end the consumer
            frame = await self.ws.receive_json_from()
            if frame["type"] != "agent_typing":
                return False
            self.typing.append(frame)
        return True

    async def close(self):
        await self.ws.disconnect(timeout=10)  # the consumer finishes an answer in flight first


@pytest.fixture
def open_tab():
    """Connect as a user (session in scope), by token, or anonymously; returns (connected, Tab)."""

    async def connect(user=None, *, token=None, query="", through_asgi=False, headers=None):
        path = "/ws/chat/" + (f"?{query}" if query else "")
        if token:
            path += ("&" if "?" in path else "?") + f"token={token}"
        app = application if through_asgi else ChatConsumer.as_asgi()
        communicator = WebsocketCommunicator(app, path, headers=headers or [])
        if user is not None and not through_asgi:
            communicator.scope["user"] = user
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        return connected, Tab(communicator)

    return connect


def token_for(user) -> str:
    return issue(user).token
