"""WebSocket routes. Each channel sub-package that speaks WebSocket adds its paths here."""

from django.urls import path

from channels_app.chat.consumer import ChatConsumer
from channels_app.console.consumer import ConsoleConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/console/", ConsoleConsumer.as_asgi()),
]
