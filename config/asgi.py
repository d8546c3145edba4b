"""ASGI entry point: HTTP through the body cap to Django (and `/mcp/` to Walker's MCP server, hitl.mcp), WebSocket
through origin and auth checks to channels_app."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # sets Django up before anything imports models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from channels_app.routing import websocket_urlpatterns  # noqa: E402
from channels_app.security import BrowserOriginValidator  # noqa: E402
from config import heap  # noqa: E402
from config.body_limit import BodyLimit  # noqa: E402
from hitl.mcp import server as mcp_server  # noqa: E402

MCP_PATHS = {"/mcp/", "/mcp"}


async def http_application(scope, receive, send):
    """`/mcp/` to the MCP server for agents outside Walker; every other path to Django."""
    handler = mcp_server.application if scope["path"] in MCP_PATHS else django_asgi_app
    await handler(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": BodyLimit(http_application),
        # Browsers may open sockets from the site itself or from sites allowed to embed the chat widget.
        "websocket": BrowserOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
heap.settle()  # everything above is loaded for good (config.heap)
