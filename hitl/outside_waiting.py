"""Waiting for the decision on an outside agent's request (the API's `?wait=`, the MCP tools' waits).

Every wait of a process is watched by one loop per event loop: one query a tick for all the requests waited on,
however many agents wait, instead of a query a tick for each. A decision is seen within a tick, whichever process or
clock made it (a console in another daphne, the SLA sweep in a worker): the database is where they all meet.
"""

import asyncio
import contextvars
import functools
import logging
import weakref

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

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


async def until_decided(pk, seconds: float) -> None:
    """Return as soon as the request `pk` no longer waits for a decision, or after `seconds`. The caller holds no
    connection meanwhile (`handing_back`)."""
    if seconds <= 0:
        return
    watch = _watches.get(asyncio.get_running_loop())
    if watch is None:
        watch = _watches[asyncio.get_running_loop()] = _Watch()
    event = asyncio.Event()
    watch.add(pk, event)
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
    finally:
        watch.discard(pk, event)


class _Watch:
    """The waits of one event loop, and the task checking them while any are left."""

    def __init__(self):
        self.waiting: dict = {}  # request pk -> the events of its waits
        self.task: asyncio.Task | None = None

    def add(self, pk, event: asyncio.Event) -> None:
        self.waiting.setdefault(pk, set()).add(event)
        if self.task is None or self.task.done():
            # A context of its own: made inside a request, the task would run its queries on that request's
            # thread, which asgiref stops when the request ends, while the task goes on for later waits.
            self.task = asyncio.get_running_loop().create_task(self._run(), context=contextvars.Context())

    def discard(self, pk, event: asyncio.Event) -> None:
        events = self.waiting.get(pk)
        if events is not None:
            events.discard(event)
            if not events:
                del self.waiting[pk]

    async def _run(self) -> None:
        while self.waiting:
            try:
                decided = await sync_to_async(_decided)(list(self.waiting))
            except Exception:  # the database away for a moment: the waits go on, and time out at worst
                log.exception("Could not check the waited-on approval requests")
                decided = []
            for pk in decided:
                for event in self.waiting.get(pk, ()):
                    event.set()
            await asyncio.sleep(TICK_SECONDS)


def _decided(pks: list) -> list:
    """Those of `pks` no longer waiting, in one query; the connection then handled as at a request's end (back to
    the pool, or closed if broken), but inside a transaction (a test's), which is not this loop's to end."""
    try:
        rows = ApprovalRequest.objects.filter(pk__in=pks, approval__isnull=False)
        return list(rows.exclude(approval__status=ApprovalStatus.PENDING).values_list("pk", flat=True))
    finally:
        if not connection.in_atomic_block:
            close_old_connections()


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch]" = weakref.WeakKeyDictionary()
