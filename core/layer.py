"""`group_send` to the channel layer from sync code, cheap in every kind of process.

In a thread that daphne runs sync code in (asgiref's sync_to_async), the send is handed to
daphne's own event loop and not waited for: the request or chat message goes on (waiting
cost daphne a blocked thread and a hand-back per event). Anywhere else (a Celery worker, a
management command, a sync test) async_to_sync would start a thread and a new event loop for
every call, and channels-redis opens a Redis connection for every new loop: each live event a
worker sent paid a thread, a loop and a connect (an answer sends three). There the sends go
to one event loop kept in a daemon thread for the life of the process, whose layer
connection stays open, and are waited for; a forked child (Celery prefork) starts its own.

This is the one place that keeps an event loop. Retire it when channels-redis keeps a
connection across the loops async_to_sync makes (the connection per loop reported in
django/channels_redis#125), or when Celery runs tasks on a loop of its own.
"""

import asyncio
import concurrent.futures
import functools
import logging
import os
import threading
from collections.abc import Callable

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 30  # a layer that stopped answering fails the send instead of hanging its caller

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if (loop := _daphne_loop()) is not None:
        # Not waited for: the request's thread goes on while daphne's loop sends. A send that fails is logged;
        # a lost live event is found in the store by the sockets' resync, as a lost broadcast is.
        sent = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        sent.add_done_callback(functools.partial(_log_failure, group))
        return
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _process_loop())
    future.result(timeout=SEND_TIMEOUT_SECONDS)


def send_on_commit(groups, message: dict) -> None:
    """`group_send` `message` to each of `groups` once the transaction commits (a rolled-back change sends
    nothing). Robust: a layer that fails is logged and never undoes or fails the change."""
    for group in groups:
        transaction.on_commit(_committed_send(group, message), robust=True)


def _committed_send(group: str, message: dict) -> Callable[[], None]:
    def send_committed() -> None:
        group_send(group, message)  # looked up when sent, as every caller's `layer.group_send` was

    return send_committed


def group_send_later(group: str, message: dict, delay: float) -> Callable[[], None]:
    """Send `message` in `delay` seconds unless the function returned is called first (from any thread).

    For a passing state that is only worth showing when it lasts (the agent typing), so a quick
    answer costs no frame. Not waited for: the timer runs on the loop that sends.
    """
    loop = _daphne_loop() or _process_loop()
    timer: list[asyncio.TimerHandle] = []

    def send():
        sent = asyncio.ensure_future(get_channel_layer().group_send(group, message))
        sent.add_done_callback(functools.partial(_log_failure, group))

    loop.call_soon_threadsafe(lambda: timer.append(loop.call_later(delay, send)))
    # Queued after the line above on the same loop, so the timer exists when it is cancelled.
    return lambda: loop.call_soon_threadsafe(lambda: timer[0].cancel())


def _daphne_loop() -> asyncio.AbstractEventLoop | None:
    """The running loop of this process that started this thread through sync_to_async (daphne's), if any."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(local, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


def _log_failure(group: str, sent: concurrent.futures.Future | asyncio.Future) -> None:
    if not sent.cancelled() and (error := sent.exception()) is not None:
        log.error("Live event to %s not sent", group, exc_info=error)


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
