"""The per-user chat counters: one Redis round trip each on the Redis cache, and on any other cache
a counter that survives its key vanishing between `add` and `incr` (a cache flush or eviction); and the
per-user socket leases on both."""

import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from channels_app.chat import leases
from channels_app.chat.consumer import _count_hit

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL); CI sets it")
    return cache


def test_hits_count_up_within_a_window():
    cache.delete("chat-rate:test")
    assert [_count_hit("chat-rate:test") for _ in range(3)] == [1, 2, 3]


def test_on_redis_a_hit_is_one_round_trip_and_the_window_keeps_its_expiry(redis_cache):
    redis_cache.delete("chat-rate:trips")
    with mock.patch.object(
        redis.Connection, "send_packed_command", autospec=True, side_effect=redis.Connection.send_packed_command
    ) as sent:
        assert [_count_hit("chat-rate:trips", timeout=60) for _ in range(3)] == [1, 2, 3]
    assert sent.call_count == 3  # Django's add() then incr() sent three commands a hit
    ttl = get_redis_connection().ttl(redis_cache.make_key("chat-rate:trips"))
    assert 0 < ttl <= 60  # set by the first hit, not pushed back by the others
    assert redis_cache.get("chat-rate:trips") == 3  # still a plain cache value


def test_concurrent_hits_on_redis_each_get_their_own_count(redis_cache):
    """Eight threads hitting one counter at once, each command on its own pooled connection: no hit is lost."""
    redis_cache.delete("chat-rate:race")

    def hits(_):
        return [_count_hit("chat-rate:race", timeout=60) for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = [n for batch in pool.map(hits, range(8)) for n in batch]
    assert sorted(counts) == list(range(1, 201))
    assert redis_cache.get("chat-rate:race") == 200


def test_a_key_evicted_between_add_and_incr_starts_the_window_again(monkeypatch, settings):
    settings.CACHES = LOCAL_CACHE
    cache.delete("chat-rate:evicted")
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: True)  # "added", but gone before the incr
    assert _count_hit("chat-rate:evicted") == 1
    monkeypatch.undo()
    assert _count_hit("chat-rate:evicted") == 2  # the counter goes on from the restarted window


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["redis", "local"])
def test_socket_leases_cap_lapse_and_are_given_back_once(backend, settings):
    if backend == "local":
        settings.CACHES = LOCAL_CACHE
    elif not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL); CI sets it")
    settings.CHAT_MAX_SOCKETS_PER_USER, settings.CHAT_SOCKET_LEASE_SECONDS = 2, 1
    assert [leases.take("u1", socket) for socket in "abc"] == [True, True, False]
    assert leases.take("u1", "a") is True  # a socket's own lease is not counted against it
    leases.give_back("u1", "a")
    leases.give_back("u1", "a")  # twice, or after it lapsed: nothing more is given back
    assert [leases.take("u1", socket) for socket in "cd"] == [True, False]
    time.sleep(1.1)  # nobody renewed: every lease lapsed
    assert [leases.take("u1", socket) for socket in "efg"] == [True, True, False]
    time.sleep(0.6)
    leases.renew("u1", "e")  # renewed: "f" lapses, "e" does not
    time.sleep(0.6)
    assert [leases.take("u1", socket) for socket in "hi"] == [True, False]
