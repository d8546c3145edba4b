"""Waiting for the decision on an outside agent's request (the API's `?wait=`, the MCP tools' waits).

Every wait of a process is watched by one loop per event loop: one query a tick for all the requests waited on,
however many agents wait, instead of a query a tick for each. A decision is seen within a tick, whichever process or
clock made it (a console in another daphne, the SLA sweep in a worker): the database is where they all meet.

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
from django.db import connection

from hitl.models import ApprovalRequest, ApprovalStatus

TICK_SECONDS = 0.2

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


async def until_decided(pk, seconds: float) -> bool:
    """Whether the request `pk` no longer waits for a decision: True as soon as it is decided, False after `seconds`
    without. The caller holds no connection meanwhile (`handing_back`)."""
    if seconds <= 0:
        return False
    decided = asyncio.get_running_loop().create_future()
    watch = _watch()
    watch.add(pk, decided)
    try:
        return await asyncio.wait_for(decided, seconds)
    except TimeoutError:
        return False
    finally:
        watch.discard(pk, decided)


async def on_the_watch(function, *args):
    """`function(*args)` (sync) on the watch's thread and connection, in the caller's context (its language and
    zone): what a woken wait reads, without waiting for the pool."""
    return await _watch().run(function, *args)


def _watch() -> "_Watch":
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = _Watch()
    return watch


class _Watch:
    """The waits of one event loop, the task checking them while any are left, and the thread it checks on."""

    def __init__(self):
        self.waiting: dict = {}  # request pk -> the futures of its waits
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

    async def _run(self) -> None:
        try:
            while self.waiting:
                try:
                    decided = await self.run(_decided, list(self.waiting))
                except Exception:  # the database away for a moment: the waits go on, and time out at worst
                    log.exception("Could not check the waited-on approval requests")
                    decided = []
                for pk in decided:
                    for future in self.waiting.get(pk, ()):
                        if not future.done():
                            future.set_result(True)
                await asyncio.sleep(TICK_SECONDS)
        finally:  # nothing left to watch, or the loop closing: the connection goes back to the pool
            with contextlib.suppress(RuntimeError):  # the thread already stopped with the interpreter
                self.thread.submit(_let_go)


def _let_go() -> None:
    """The watch thread's connection closed: `connection` names the calling thread's, so this runs there."""
    connection.close()


def _decided(pks: list) -> list:
    """Those of `pks` no longer waiting, in one query."""
    rows = ApprovalRequest.objects.filter(pk__in=pks, approval__isnull=False)
    return list(rows.exclude(approval__status=ApprovalStatus.PENDING).values_list("pk", flat=True))


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch]" = weakref.WeakKeyDictionary()
