"""Waiting for the decision on an outside agent's request (the API's `?wait=`, the MCP tools' waits).

Every wait of a process is watched by one loop per event loop: one query a sweep for all the requests waited on,
however many agents wait, instead of a query a tick for each. Whichever process or clock decides (a console in
another daphne, the SLA sweep in a worker), the decision's commit is announced on the channel layer
(`announce_decided`), and the watch of each web process wakes its waits for that request at once. With a layer that
only this process hears (the in-memory one of the embedded shape), the database is where they all meet: a sweep
each TICK_SECONDS. With a shared one (Redis), the sweep runs each SWEEP_SECONDS and only catches an announcement lost
(the layer away for a moment): at a thousand waits the tick's query under full cores took up to 3 s, the tail of
the decision's answer (bench/RESULTS.md, "Approval desk").

The watch has a thread of its own that keeps its database connection from tick to tick, and a woken wait reads the
decided request there too (`on_the_watch`): neither waits for the pool behind a thousand agents asking again, and
the woken read needs no thread of its own. Under full cores both still wait for the CPU (bench/RESULTS.md).
"""

import asyncio
import contextlib
import contextvars
import functools
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection

from core.layer import send_on_commit
from hitl.models import ApprovalRequest, ApprovalStatus

TICK_SECONDS = 0.2  # the sweep when decisions are not announced to this process
SWEEP_SECONDS = 1.0  # the sweep when they are: it finds only what an announcement lost
DECIDED_GROUP = "approval-requests.decided"
JOIN_AGAIN_SECONDS = 3600  # a Redis layer forgets a group's member after a day (channels-redis' group_expiry)

log = logging.getLogger(__name__)


def still_waiting(pk) -> bool:
    """Whether the request `pk` (an ApprovalRequest's) waits for a decision."""
    return ApprovalRequest.objects.filter(pk=pk, approval__status=ApprovalStatus.PENDING).exists()


def handing_back(function):
    """`function` (a request's sync step), after which its thread's connection goes back to the pool, unless inside
    a transaction (a test's): kept until the request ended, a connection stayed held while the request's next step
    waited its turn, and a thousand waiting reads emptied a pool of twenty."""

    @functools.wraps(function)
    def step(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return step


def announce_decided(asked: ApprovalRequest) -> None:
    """The request `asked` decided: announced to every web process's watch once the decision commits (a rolled-back
    one announces nothing). Called for each decision, whichever door or clock made it (hitl.callbacks)."""
    if _shared_layer() is not None:
        send_on_commit([DECIDED_GROUP], {"type": "request.decided", "request": str(asked.pk)})


async def until_decided(pk, seconds: float) -> bool:
    """Whether the request `pk` no longer waits for a decision: True as soon as it is decided, False after `seconds`
    without. The caller holds no connection meanwhile (`handing_back`)."""
    if seconds <= 0:
        return False
    decided = asyncio.get_running_loop().create_future()
    watch = _watch()
    watch.add(str(pk), decided)
    try:
        return await asyncio.wait_for(decided, seconds)
    except TimeoutError:
        return False
    finally:
        watch.discard(str(pk), decided)


async def on_the_watch(function, *args):
    """`function(*args)` (sync) on the watch's thread and connection, in the caller's context (its language and
    zone): what a woken wait reads, without waiting for the pool."""
    return await _watch().run(function, *args)


def _shared_layer():
    """The channel layer when every process hears it, else None: an in-memory layer reaches only its own process."""
    layer = get_channel_layer()
    return None if layer is None or isinstance(layer, InMemoryChannelLayer) else layer


def _watch() -> "_Watch":
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = _Watch()
    return watch


class _Watch:
    """The waits of one event loop, the task checking them while any are left, the thread it checks on, and the
    task hearing the decisions announced while it runs."""

    def __init__(self):
        self.waiting: dict = {}  # request pk (str) -> the futures of its waits
        self.task: asyncio.Task | None = None
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="approval-watch")
        weakref.finalize(self, self.thread.shutdown, wait=False)  # with its event loop

    def add(self, pk, decided: asyncio.Future) -> None:
        self.waiting.setdefault(pk, set()).add(decided)
        if self.task is None or self.task.done():
            # A context of its own: made inside a request, the task would carry that request's context into every
            # later tick.
            self.task = asyncio.get_running_loop().create_task(self._run(), context=contextvars.Context())

    def discard(self, pk, decided: asyncio.Future) -> None:
        futures = self.waiting.get(pk)
        if futures is not None:
            futures.discard(decided)
            if not futures:
                del self.waiting[pk]

    async def run(self, function, *args):
        return await sync_to_async(self._kept, thread_sensitive=False, executor=self.thread)(function, *args)

    def _kept(self, function, *args):
        """`function(*args)` on the watch's thread, whose connection stays open from one call to the next while
        any wait is left; given back to the pool when none is (a test's event loop may stop for good between two
        ticks), and closed when a call fails, so that the next one starts on a sound connection."""
        try:
            return function(*args)
        except Exception:
            connection.close()
            raise
        finally:
            if not self.waiting:
                connection.close()

    def wake(self, pk: str) -> None:
        for future in self.waiting.get(pk, ()):
            if not future.done():
                future.set_result(True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        layer = _shared_layer()
        channel = await self._join(layer) if layer is not None else None
        hearing = loop.create_task(self._hear(layer, channel)) if channel is not None else None
        joined = loop.time()
        try:
            while self.waiting:
                try:
                    decided = await self.run(_decided, list(self.waiting))
                except Exception:  # the database away for a moment: the waits go on, and time out at worst
                    log.exception("Could not check the waited-on approval requests")
                    decided = []
                for pk in decided:
                    self.wake(pk)
                heard = hearing is not None and not hearing.done()
                if heard and loop.time() - joined > JOIN_AGAIN_SECONDS:
                    joined = loop.time() if await self._join(layer, channel) else joined
                # Until the layer fails: then every decision is found by the sweep, as without one.
                await asyncio.sleep(SWEEP_SECONDS if heard else TICK_SECONDS)
        finally:  # nothing left to watch, or the loop closing: the connection goes back to the pool
            if hearing is not None:
                hearing.cancel()
                with contextlib.suppress(Exception):
                    await layer.group_discard(DECIDED_GROUP, channel)
            with contextlib.suppress(RuntimeError):  # the thread already stopped with the interpreter
                self.thread.submit(_let_go)

    async def _join(self, layer, channel=None):
        """`channel` (a new one if None) in the group decisions are announced to; None when the layer fails. A new
        channel each time the watch starts: one that went on listening under the same name would lose its
        membership to this one's leaving."""
        try:
            channel = channel or await layer.new_channel()
            await layer.group_add(DECIDED_GROUP, channel)
            return channel
        except Exception:
            log.exception("Decisions cannot be heard from the channel layer; the sweep finds them")
            return None

    async def _hear(self, layer, channel) -> None:
        """Wake the waits of each request announced decided, until cancelled (never between two messages: a
        receive cancelled mid-way may drop one)."""
        try:
            while True:
                self.wake((await layer.receive(channel))["request"])
        except Exception:  # not the cancel: that one is how the watch stops it
            log.exception("Decisions are no longer heard from the channel layer; the sweep finds them")


def _let_go() -> None:
    """The watch thread's connection closed: `connection` names the calling thread's, so this runs there."""
    connection.close()


def _decided(pks: list) -> list:
    """Those of `pks` no longer waiting, in one query."""
    rows = ApprovalRequest.objects.filter(pk__in=pks, approval__isnull=False)
    return [str(pk) for pk in rows.exclude(approval__status=ApprovalStatus.PENDING).values_list("pk", flat=True)]


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch]" = weakref.WeakKeyDictionary()
