"""ASGI entry point: HTTP through the body cap to Django, WebSocket through origin and auth checks to channels_app."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()  # sets Django up before anything imports models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from channels_app.routing import websocket_urlpatterns  # noqa: E402
from channels_app.security import BrowserOriginValidator  # noqa: E402
from config.body_limit import BodyLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),
        # Browsers may open sockets from the site itself or from sites allowed to embed the chat widget.
        "websocket": BrowserOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
