"""The chat WebSocket (docs/chat-protocol.md).

Each socket follows one conversation. A message from the client is stored in
one short transaction (in a worker thread) and acknowledged; a Celery worker
answers it, and the answer reaches every socket of the conversation as a
numbered event through the channel layer group `conversation.<id>`. The socket
forwards each `seq` once, in order, filling any gap from the event store. An
idle socket that has heard nothing of its conversation for about
CHAT_RESYNC_SECONDS checks the store too, in case a broadcast was lost (the
pub/sub layer delivers at most once, and a conversation's last event has no
later one to reveal the gap). Where the channel layer does not reach the
workers (the embedded default's in-memory layer), a socket waiting for an
answer checks the store every EVENT_POLL_SECONDS instead, and a quiet one
every CHAT_IDLE_POLL_SECONDS (what a worker tells it unasked: an approval's
outcome).
"""

import asyncio
import contextlib
import logging
import random
import time
from urllib.parse import parse_qs

import structlog
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext

from channels_app.chat import leases, parse, route, session, verify
from channels_app.chat.redis_client import redis_client
from channels_app.consumers import CountedSocket, EndsWithSignIn, NoConnectionSweepPerFrame
from conversations import events
from tenants.languages import speaking
from tenants.log_context import bind_tenant, new_request_id
from tenants.privacy.audit import Origin

UNAUTHENTICATED = 4401
TOO_MANY_SOCKETS = 4429
log = logging.getLogger(__name__)


def _count_hit(key: str, timeout: int = 120) -> int:
    """Atomic across processes (Redis INCR); Django's async aincr is a get-then-set and loses counts."""
    if (client := redis_client()) is not None:  # one round trip: SET NX EX and INCR in one MULTI
        name = cache.make_key(key)
        with client.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=timeout, nx=True)
            pipe.incr(name)
            return pipe.execute()[1]
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted or flushed between add and incr: the window starts again with this hit
        cache.set(key, 1, timeout=timeout)
        return 1


def _over(limit: int, key: str, *, timeout: int = 120) -> bool:
    """Whether this hit passes `limit`. A cache that does not answer (Redis stalled) lets it through:
    a message is better stored than lost, and the socket must not die of it."""
    try:
        return _count_hit(key, timeout) > limit
    except Exception:
        log.warning("Chat limit %s not checked: the cache did not answer", key.split(":")[0], exc_info=True)
        return False


def in_thread(func):
    """Run blocking work in the shared thread pool, not the one thread Django keeps for sync code."""
    return database_sync_to_async(func, thread_sensitive=False)


class ChatConsumer(CountedSocket, EndsWithSignIn, NoConnectionSweepPerFrame, AsyncJsonWebsocketConsumer):
    socket_kind = "chat"

    async def connect(self):
        await self.accept()  # accept first: a close code is only delivered on an open socket
        self.user = await self._authenticate()
        if self.user is None:
            await self.close(code=UNAUTHENTICATED)
            return
        # Not a Django request: the socket's log lines name it, its user and tenant (this task's context, copied
        # into the tasks and threads it starts), and each message has a request id of its own (receive).
        structlog.contextvars.bind_contextvars(socket_id=new_request_id(), user_id=str(self.user.pk))
        bind_tenant(self.user.tenant_id)
        if refusal := await self.watch_sign_in(self.user, by_session=self.user is self.scope.get("user")):
            await self.close(code=refusal)
            return
        if not await in_thread(leases.take)(self.user.pk, self.channel_name):
            await self.close(code=TOO_MANY_SOCKETS)
            return
        self.renewal = None
        self.lease = asyncio.create_task(self._renew_lease_every(settings.CHAT_SOCKET_LEASE_SECONDS / 3))
        self.conversation_id = None
        self.last_sent = 0
        self.last_heard = time.monotonic()  # when a frame of the followed conversation last arrived
        self.groups_joined = set()
        self.waiting = 0  # messages of this socket accepted and not yet answered
        self.awaiting_answer = asyncio.Event()
        self.sending = asyncio.Lock()  # one writer of numbered frames at a time: each seq once, in order
        await self._join(events.user_group(self.user.pk))

        query = parse_qs(self.scope.get("query_string", b"").decode())
        resume_id, last_seq = query.get("conversation", [None])[0], query.get("last_seq", [None])[0]
        conversation = await in_thread(session.own_conversation)(self.user, resume_id) if resume_id else None
        if conversation is not None and last_seq is not None and last_seq.isdigit():
            await self._follow(conversation.pk, after=int(last_seq))
            await self._send_missed(up_to=None)
        else:
            if conversation is None or last_seq is not None:  # named without last_seq: its history (the member's page)
                conversation = await in_thread(session.find_conversation)(self.user)
            if conversation is not None:
                await self._follow(conversation.pk, after=None)
            frame = await in_thread(session.history)(conversation, reader=self.user, origin=Origin.of_scope(self.scope))
            self.last_sent = frame["seq"]
            await self.send_json(frame)
        quiet = settings.CHAT_IDLE_POLL_SECONDS or settings.CHAT_RESYNC_SECONDS
        self.resync = asyncio.create_task(self._resync_every(min(quiet, settings.CHAT_RESYNC_SECONDS)))

    async def disconnect(self, code):
        await self.stop_watching_sign_in()
        if resync := getattr(self, "resync", None):
            resync.cancel()
        if lease := getattr(self, "lease", None):
            lease.cancel()
            if self.renewal is not None:  # a renewal under way lands before the lease is given back, not after
                await asyncio.wait([self.renewal])
            await in_thread(leases.give_back)(self.user.pk, self.channel_name)
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _renew_lease_every(self, seconds):
        """While the socket is open; a daphne that dies stops renewing, and its sockets' leases lapse (leases)."""
        while True:
            await asyncio.sleep(seconds)
            self.renewal = asyncio.ensure_future(in_thread(leases.renew)(self.user.pk, self.channel_name))
            await asyncio.shield(self.renewal)

    # --- authentication and groups --------------------------------------------------------

    async def _authenticate(self):
        user = self.scope.get("user")
        if user is not None and user.is_authenticated and user.is_active and user.tenant_id:
            return user
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [None])[0]
        return await in_thread(verify.user_for)(token) if token else None

    async def _join(self, group):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def _follow(self, conversation_id, *, after):
        """Follow a conversation: its events after `after` (None: from now on) reach this socket."""
        conversation_id = str(conversation_id)
        if conversation_id == self.conversation_id:
            return
        if self.conversation_id:
            group = events.conversation_group(self.conversation_id)
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)
        self.conversation_id = conversation_id
        await self._join(events.conversation_group(conversation_id))
        self.last_sent = after if after is not None else await in_thread(events.latest_seq)(conversation_id)

    async def _send_missed(self, *, up_to):
        async with self.sending:
            await self._replay(up_to=up_to)

    async def _replay(self, *, up_to):
        """Send stored events after the last one sent (the caller holds `self.sending`)."""
        for frame in await in_thread(events.replay)(self.conversation_id, self.last_sent, up_to=up_to):
            if frame["seq"] > self.last_sent:
                await self._send_numbered(frame)

    async def _resync_every(self, seconds):
        """Check the store when the conversation is quiet, or often while an answer is awaited from afar.

        A conversation with events coming reveals any gap by its next event; checking
        then would only add queries when the server is busiest.
        """
        while True:
            if self.waiting and settings.EVENT_POLL_SECONDS:
                await asyncio.sleep(settings.EVENT_POLL_SECONDS)
                due = True
            else:
                # Jittered, so sockets that connected together (a deploy, a network blip) do not query in step.
                self.awaiting_answer.clear()
                with contextlib.suppress(TimeoutError):  # woken early when a message starts waiting
                    await asyncio.wait_for(self.awaiting_answer.wait(), seconds * random.uniform(0.5, 1.5))
                due = time.monotonic() - self.last_heard >= seconds / 2
            if self.conversation_id and due:
                try:
                    await self._send_missed(up_to=None)
                except Exception:  # a database hiccup: the next round tries again
                    log.exception("Chat resync failed for conversation %s", self.conversation_id)

    # --- from the client ---------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        # The message's request id reaches the answer task it enqueues, as a request's does (tenants.log_context).
        with speaking(self.user), structlog.contextvars.bound_contextvars(request_id=new_request_id()):
            await self._receive(text_data)  # error frames in the reader's language

    async def _receive(self, text_data):
        try:
            frame = parse.parse(text_data)
        except parse.ProtocolError as err:
            await self._error(err.code, err.detail, err.client_msg_id)
            return
        if isinstance(frame, parse.Typing):
            await self._relay_typing(frame.on)
        elif isinstance(frame, parse.NewConversation):
            await self._start_over()
        elif isinstance(frame, parse.Rate):
            await self._rate(frame)
        else:
            # Awaited here, not in a background task: a socket's messages are stored in the order it sent them.
            await self._accept(frame)

    def _limited_accept(self, frame: parse.SendMessage):
        """The rate limit and the store in one trip to a worker thread (each trip costs daphne CPU)."""
        key = f"chat-rate:{self.user.pk}:{int(time.time() // 60)}"  # wall clock: one window across processes
        if _over(settings.CHAT_RATE_LIMIT_PER_MINUTE, key):
            return {
                "type": "error",
                "code": "rate_limited",
                "detail": gettext("At most %(count)s messages a minute; wait a moment.")
                % {"count": settings.CHAT_RATE_LIMIT_PER_MINUTE},
                "client_msg_id": frame.client_msg_id,
            }
        return route.accept_message(self.user, frame.message, frame.client_msg_id, frame.agent)

    async def _accept(self, frame: parse.SendMessage):
        try:
            accepted = await in_thread(self._limited_accept)(frame)
        except Exception:  # never let one message take the socket down
            log.exception("Chat message failed for user %s", self.user.pk)
            await self._error(
                "internal", gettext("Something went wrong; your message was not saved."), frame.client_msg_id
            )
            return
        if isinstance(accepted, dict):  # refused: an error frame for this socket only
            await self.send_json({**accepted, "seq": self.last_sent})
            return
        conversation_id = str(accepted.conversation.pk)
        if accepted.duplicate:  # already stored; its events are in the store for a resuming client
            await self.send_json(
                {
                    "type": "message_received",
                    "id": str(accepted.message.pk),
                    "client_msg_id": frame.client_msg_id,
                    "conversation_id": conversation_id,
                    "duplicate": True,
                    "seq": await in_thread(events.latest_seq)(conversation_id),
                }
            )
            return
        self.waiting += 1
        if settings.EVENT_POLL_SECONDS:  # the resync loop polls for the answer; over a layer it has nothing to do
            self.awaiting_answer.set()
        if conversation_id == self.conversation_id:
            await self._deliver(accepted.frame)
            return
        started = {"type": events.Signal.CONVERSATION_STARTED, "conversation_id": conversation_id, "seq": 0}
        async with self.sending:
            await self._follow(conversation_id, after=0)
            await self.send_json(started)
            await self._replay(up_to=None)
        await self.channel_layer.group_send(  # the user's other tabs follow it too
            events.user_group(self.user.pk), {"type": "chat.frame", "frame": started, "origin": self.channel_name}
        )

    async def _rate(self, frame: parse.Rate):
        """The person's rating of the conversation they name, else of the one this socket follows (or followed: a
        resolved one is still followed until the next message)."""
        reply = await in_thread(route.rate)(self.user, frame.score, frame.conversation_id or self.conversation_id)
        await self.send_json({**reply, "seq": self.last_sent})

    async def _start_over(self):
        """Close the followed conversation and stop following it: the next message opens a new one."""
        await in_thread(session.start_over)(self.user, self.conversation_id)
        async with self.sending:
            if self.conversation_id:
                group = events.conversation_group(self.conversation_id)
                await self.channel_layer.group_discard(group, self.channel_name)
                self.groups_joined.discard(group)
            self.conversation_id = None
            self.last_sent = 0
            await self.send_json({"type": "history", "conversation_id": None, "messages": [], "seq": 0})

    async def _relay_typing(self, on: bool):
        key = f"chat-typing:{self.user.pk}:{int(time.time() // 60)}"
        if await in_thread(_over)(settings.CHAT_TYPING_PER_MINUTE, key):
            return  # typing past the limit is dropped: it is a hint, not a message
        if self.conversation_id:
            await self.channel_layer.group_send(
                events.conversation_group(self.conversation_id),
                {"type": "chat.frame", "frame": {"type": "user_typing", "on": on}, "origin": self.channel_name},
            )

    async def _error(self, code, detail, client_msg_id=None):
        frame = {"type": "error", "code": code, "detail": detail, "seq": self.last_sent}
        if client_msg_id:
            frame["client_msg_id"] = client_msg_id
        await self.send_json(frame)

    # --- from the channel layer --------------------------------------------------------------

    async def chat_frame(self, message):
        frame = message["frame"]
        if message.get("origin") == self.channel_name:
            return
        if frame["type"] == events.Signal.CONVERSATION_STARTED:
            async with self.sending:
                await self._follow(frame["conversation_id"], after=0)
                await self.send_json({**frame, "seq": 0})
                await self._replay(up_to=None)
            return
        if frame["type"] in (events.Signal.USER_TYPING, events.Signal.AGENT_TYPING, events.Signal.AGENT_DELTA):
            if frame.get("conversation_id", self.conversation_id) == self.conversation_id:
                await self.send_json({**frame, "seq": self.last_sent})
            return
        await self._deliver(frame)

    async def _deliver(self, frame: dict):
        """Send a numbered event of the followed conversation once, in order, after any it skipped."""
        async with self.sending:
            if frame.get("conversation_id") != self.conversation_id:
                return  # another conversation's
            self.last_heard = time.monotonic()
            if frame["seq"] <= self.last_sent:
                return  # already delivered
            if frame["seq"] > self.last_sent + 1:
                await self._replay(up_to=frame["seq"] - 1)
            await self._send_numbered(frame)

    async def _send_numbered(self, frame: dict):
        await self.send_json(frame)
        self.last_sent = frame["seq"]
        if frame["type"] == events.EventKind.AGENT_RESPONSE and self.waiting:
            self.waiting -= 1
        elif frame["type"] in (events.EventKind.HUMAN_JOINED, events.EventKind.HUMAN_REPLY):
            self.waiting = 0  # a person answers now: no agent answer is on its way
