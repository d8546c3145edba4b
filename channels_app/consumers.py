"""What Walker's socket consumers share."""

from types import SimpleNamespace

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from core.metrics import WEBSOCKETS_OPEN
from tenants.identity.signin.policy import unmet
from tenants.identity.signin.sockets import MFA_REQUIRED, SESSION_ENDED, person_group, session_group


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


class EndsWithSignIn:
    """The socket lives as long as its person's sign-in: it closes with SESSION_ENDED when their sessions end (a
    role change, deactivation, a new password, "sign out everywhere", an admin) or its own session does
    (tenants.identity.signin.sockets)."""

    async def watch_sign_in(self, user, *, by_session: bool) -> int | None:
        """Join the person's groups, then look again (a session ended between the handshake and the join is
        caught): the close code to refuse with, or None. `by_session`: the user came from the session cookie,
        not a widget token (whose person's MFA was asked for when it was issued, by the page that issued it)."""
        session = self.scope.get("session") if by_session else None
        key = session.session_key if session is not None else None
        self.sign_in_groups = [person_group(user.pk), *([session_group(key)] if key else [])]
        for group in self.sign_in_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        return await database_sync_to_async(_refusal)(self.scope, user, key) if key else None

    async def stop_watching_sign_in(self):
        for group in getattr(self, "sign_in_groups", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def signin_ended(self, message):
        await self.close(code=SESSION_ENDED)


def _refusal(scope, user, session_key: str) -> int | None:
    """The session still exists and has met the person's MFA policy (the check the pages' middleware makes)."""
    session = scope["session"]
    if not session.exists(session_key):
        return SESSION_ENDED
    request = SimpleNamespace(session=session, COOKIES=scope.get("cookies") or {})
    return MFA_REQUIRED if unmet(request, user) else None
