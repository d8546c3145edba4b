"""Connections a process keeps instead of making again: the Redis cache's pool (django-redis), the channel
layer's connection from sync code outside daphne, and the database pool of a Celery worker between tasks."""

import asyncio
import threading
from types import SimpleNamespace
from unittest import mock

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django_redis.cache import RedisCache as DjangoRedisCache

from config.celery import app as celery_app
from config.dbpool import PoolKeepingWorkerFixup
from core import layer

SOME_REDIS = "redis://127.0.0.1:6379/9"  # no connection is opened by building a pool


def needs_redis():
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL); CI sets it")


def connection_counter():
    """Connections Redis has accepted so far (through one client of its own, opened now)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    return lambda: client.info("stats")["total_connections_received"]


def test_every_cache_object_of_a_process_shares_one_redis_pool():
    first, second = DjangoRedisCache(SOME_REDIS, {}), DjangoRedisCache(SOME_REDIS, {})
    assert first.client.get_client().connection_pool is second.client.get_client(write=True).connection_pool
    # Django's own cache builds a pool per object, and an object per thread or request (ticket #35651).
    assert (
        RedisCache(SOME_REDIS, {})._cache.get_client().connection_pool
        is not RedisCache(SOME_REDIS, {})._cache.get_client().connection_pool
    )


def test_cache_reads_from_new_threads_do_not_connect_again():
    needs_redis()
    caches["default"].set("reuse-probe", 1)
    connections_received = connection_counter()
    before = connections_received()
    for _ in range(20):  # each thread gets its own cache object, as each request under daphne does
        thread = threading.Thread(target=lambda: caches["default"].get("reuse-probe"))
        thread.start()
        thread.join()
    assert connections_received() - before == 0


def test_sends_from_plain_threads_arrive_and_share_one_loop_and_connection():
    """What a Celery worker does: group_send from sync code with no event loop around it."""
    needs_redis()
    sends = 20
    connections_received = connection_counter()

    async def scenario():
        channel_layer = get_channel_layer()
        channel = await channel_layer.new_channel()
        await channel_layer.group_add("reuse-probe", channel)
        before = connections_received()

        def send_all():
            for n in range(sends):
                layer.group_send("reuse-probe", {"type": "probe", "n": n})

        await asyncio.get_running_loop().run_in_executor(None, send_all)  # a plain thread, not sync_to_async
        received = [await asyncio.wait_for(channel_layer.receive(channel), 5) for _ in range(sends)]
        return [m["n"] for m in received], connections_received() - before

    received, connections = asyncio.run(scenario())
    assert received == list(range(sends))
    assert connections <= 1  # the process loop's one layer connection; async_to_sync opened one per send


def test_sends_under_an_event_loop_go_through_that_loop(settings):
    """In daphne's sync threads the send is handed to daphne's loop (the in-memory layer only works there)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()

    async def scenario():
        channel_layer = get_channel_layer()
        channel = await channel_layer.new_channel()
        await channel_layer.group_add("loop-probe", channel)
        with mock.patch.object(layer, "_process_loop", side_effect=AssertionError("not the process loop")):
            await sync_to_async(layer.group_send)("loop-probe", {"type": "probe"})
        return await asyncio.wait_for(channel_layer.receive(channel), 5)

    try:
        assert asyncio.run(scenario())["type"] == "probe"
    finally:
        channel_layers.backends.clear()


def test_a_send_from_daphnes_thread_is_not_waited_for_and_a_failure_is_logged(caplog):
    """The thread goes on at once; the send happens on the loop; a layer error is logged, not raised to the caller."""
    arrived = []

    class SlowLayer:
        def __init__(self):
            self.go = asyncio.Event()

        async def group_send(self, group, message):
            await self.go.wait()
            if group == "broken":
                raise ConnectionError("layer down")
            arrived.append(message)

    slow = SlowLayer()

    async def scenario():
        with mock.patch.object(layer, "get_channel_layer", return_value=slow):
            await asyncio.wait_for(sync_to_async(layer.group_send)("probe", {"n": 1}), 2)  # returns: not blocked
            await sync_to_async(layer.group_send)("broken", {"n": 2})
        assert arrived == []
        slow.go.set()
        for _ in range(50):
            await asyncio.sleep(0.01)
        return arrived

    assert asyncio.run(scenario()) == [{"n": 1}]
    assert "Live event to broken not sent" in caplog.text


def test_a_worker_gives_its_connection_back_between_tasks_and_keeps_the_pool():
    (fixup,) = [f for f in celery_app._fixups if f is not None]
    assert isinstance(fixup.worker_fixup, PoolKeepingWorkerFixup)
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with (
        mock.patch("config.dbpool.close_old_connections") as returned,
        mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.close") as closed,
    ):
        fixup.worker_fixup.on_task_prerun(sender=task)
        fixup.worker_fixup.on_task_postrun(sender=task)
    assert returned.call_count == 2
    assert not closed.called  # Celery's own fixup closes every connection, and under prefork the pool too


def test_threads_share_one_result_backend():
    """Under daphne every request runs in a new thread: enqueuing a task there builds no backend of its own."""
    backend, seen = celery_app.backend, []
    threads = [threading.Thread(target=lambda: seen.append(celery_app.backend)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 3 and all(other is backend for other in seen)
