"""How many chat sockets a person holds, across every daphne process: one lease per open socket.

A socket takes a lease as it opens (refused past CHAT_MAX_SOCKETS_PER_USER), renews it every third of
CHAT_SOCKET_LEASE_SECONDS while it is open, and gives it back when it closes. A daphne that dies gives nothing
back and renews nothing, so its sockets stop counting within CHAT_SOCKET_LEASE_SECONDS; and the count is the
number of unexpired leases, which cannot go below zero. On Redis the leases are a sorted set per person scored
by expiry, held by one script; on the embedded in-memory cache (one process), a dict under a lock.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

from channels_app.chat.redis_client import redis_client

log = logging.getLogger(__name__)
_lock = threading.Lock()


def _key(user_id) -> str:
    return f"chat-socket-leases:{user_id}"


def take(user_id, socket_id: str) -> bool:
    """Whether the socket may stay open. A cache that does not answer lets it: the socket is better open than
    refused, and its renewals count it once the cache is back."""
    try:
        return _hold(user_id, socket_id, settings.CHAT_MAX_SOCKETS_PER_USER)
    except Exception:
        log.warning("Chat socket lease of user %s not checked: the cache did not answer", user_id, exc_info=True)
        return True


def renew(user_id, socket_id: str) -> None:
    try:
        _hold(user_id, socket_id, None)
    except Exception:  # the lease may lapse: the next renewal takes it again
        log.warning("Chat socket lease of user %s not renewed: the cache did not answer", user_id)


def give_back(user_id, socket_id: str) -> None:
    try:
        if (client := redis_client()) is not None:
            client.zrem(cache.make_key(_key(user_id)), socket_id)
            return
        with _lock:
            held = cache.get(_key(user_id)) or {}
            if held.pop(socket_id, None) is not None:
                cache.set(_key(user_id), held, timeout=settings.CHAT_SOCKET_LEASE_SECONDS)
    except Exception:  # it lapses by itself
        log.warning("Chat socket lease of user %s not given back: the cache did not answer", user_id)


def _hold(user_id, socket_id: str, limit: int | None) -> bool:
    seconds = settings.CHAT_SOCKET_LEASE_SECONDS
    if (client := redis_client()) is not None:
        # One script, so concurrent sockets never pass the limit together.
        return bool(
            client.eval(
                _HOLD_LEASE, 1, cache.make_key(_key(user_id)), socket_id, -1 if limit is None else limit, seconds
            )
        )
    with _lock:
        now = time.time()
        held = {socket: ends for socket, ends in (cache.get(_key(user_id)) or {}).items() if ends > now}
        if limit is not None and socket_id not in held and len(held) >= limit:
            return False
        held[socket_id] = now + seconds
        cache.set(_key(user_id), held, timeout=seconds)
        return True


# KEYS[1]: a sorted set of sockets scored by when their lease ends (Redis's clock). ARGV: socket, limit (-1: none),
# seconds. Lapsed leases go first, so the count of leases cannot go below zero.
_HOLD_LEASE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[2])
if limit >= 0 and not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= limit then
    return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
