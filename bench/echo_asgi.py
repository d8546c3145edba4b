"""Walker's ASGI application plus a bare echo socket at /ws/echo/, for the benchmarks.

    daphne -b 127.0.0.1 -p 8765 bench.echo_asgi:application

Everything but /ws/echo/ goes to config.asgi.application unchanged. The echo
consumer sits behind the same origin check and auth middleware as the chat and
sends every frame it gets back through the channel layer (group_send to a group
of its own, then forward to the socket), so it costs the same daphne + Redis
layer path as the chat minus Walker's own work (database, agents, events).

Query parameters (for bench/layer_soak.py): `group=<name>` (repeatable) joins
more groups, whose `echo.frame` messages are forwarded as well. Once joined,
the socket sends {"type": "ready", "group": <its echo group>}.
"""

import os
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402

from channels_app.security import BrowserOriginValidator  # noqa: E402
from config.asgi import application as walker_application  # noqa: E402  (sets Django up)

ECHO_PATH = "/ws/echo/"


class EchoConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        self.echo_group = f"echo.{uuid.uuid4().hex}"
        extra = parse_qs(self.scope.get("query_string", b"").decode()).get("group", [])
        self.joined = []
        for group in [self.echo_group, *extra]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.send_json({"type": "ready", "group": self.echo_group})

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(self.echo_group, {"type": "echo.frame", "frame": content})

    async def echo_frame(self, message):
        await self.send_json(message["frame"])

    async def disconnect(self, code):
        for group in getattr(self, "joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)


echo_application = BrowserOriginValidator(AuthMiddlewareStack(EchoConsumer.as_asgi()))


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == ECHO_PATH:
        return await echo_application(scope, receive, send)
    return await walker_application(scope, receive, send)
