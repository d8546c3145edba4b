"""`group_send` to the channel layer from sync code, cheap in every kind of process.

In a thread that daphne runs sync code in (asgiref's sync_to_async), async_to_sync hands the
send to daphne's own event loop. Anywhere else (a Celery worker, a management command, a
sync test) async_to_sync starts a thread and a new event loop for every call, and
channels-redis opens a Redis connection for every new loop: each live event a worker sent
paid a thread, a loop and a connect (about 3 ms of a worker's CPU; an answer sends three).
There the sends go to one event loop kept in a daemon thread for the life of the process,
whose layer connection stays open; a forked child (Celery prefork) starts its own.
"""

import asyncio
import os
import threading

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

SEND_TIMEOUT_SECONDS = 30  # a layer that stopped answering fails the send instead of hanging its caller

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if _in_event_loop_thread():
        async_to_sync(layer.group_send)(group, message)
        return
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _process_loop())
    future.result(timeout=SEND_TIMEOUT_SECONDS)


def _in_event_loop_thread() -> bool:
    """Whether this thread was started by sync_to_async under a running loop of this process (daphne)."""
    return getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid()


def _process_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    pid = os.getpid()
    if _loop_pid != pid:
        with _lock:
            if _loop_pid != pid:  # first use in this process (or in this forked child)
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="channel-layer-sends", daemon=True).start()
                _loop, _loop_pid = loop, pid
    return _loop
