"""What Walker's socket consumers share."""

from channels.consumer import get_handler_name

from core.metrics import WEBSOCKETS_OPEN


class NoConnectionSweepPerFrame:
    """Handle each frame and layer message without channels' extra trip to a thread first.

    Channels (4.2 on) runs Django's close_old_connections in a thread before every frame a
    consumer receives and every channel layer message it handles. Walker's consumers use the
    database only through database_sync_to_async, which runs the same sweep around each call,
    in the thread that holds the connection; the trip before every message only cost daphne
    CPU: four for each answered chat message (its frame, the stored event, typing, the answer).
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class CountedSocket:
    """Counts the socket in `walker_websockets_open{consumer=socket_kind}` from its accept to its disconnect."""

    socket_kind = ""

    async def accept(self, *args, **kwargs):
        await super().accept(*args, **kwargs)
        if not getattr(self, "counted", False):
            self.counted = True
            WEBSOCKETS_OPEN.labels(consumer=self.socket_kind).inc()

    async def websocket_disconnect(self, message):
        try:
            await super().websocket_disconnect(message)
        finally:  # channels ends the consumer by raising StopConsumer from here
            if getattr(self, "counted", False):
                self.counted = False
                WEBSOCKETS_OPEN.labels(consumer=self.socket_kind).dec()
