"""How many chat sockets a person holds, across every daphne process: one lease per open socket.

A socket takes a lease as it opens (refused past CHAT_MAX_SOCKETS_PER_USER), renews it every third of
CHAT_SOCKET_LEASE_SECONDS while it is open, and gives it back when it closes. A daphne that dies gives nothing
back and renews nothing, so its sockets stop counting within CHAT_SOCKET_LEASE_SECONDS; and the count is the
number of unexpired leases, which cannot go below zero. On Redis the leases are a sorted set per person scored
by expiry (config.redis_cache); on the embedded in-memory cache (one process), a dict under a lock.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

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
        if drop := getattr(cache, "drop_lease", None):
            drop(_key(user_id), socket_id)
            return
        with _lock:
            held = cache.get(_key(user_id)) or {}
            if held.pop(socket_id, None) is not None:
                cache.set(_key(user_id), held, timeout=settings.CHAT_SOCKET_LEASE_SECONDS)
    except Exception:  # it lapses by itself
        log.warning("Chat socket lease of user %s not given back: the cache did not answer", user_id)


def _hold(user_id, socket_id: str, limit: int | None) -> bool:
    seconds = settings.CHAT_SOCKET_LEASE_SECONDS
    if hold := getattr(cache, "hold_lease", None):  # the Redis cache (config.redis_cache)
        return hold(_key(user_id), socket_id, seconds, limit)
    with _lock:
        now = time.time()
        held = {socket: ends for socket, ends in (cache.get(_key(user_id)) or {}).items() if ends > now}
        if limit is not None and socket_id not in held and len(held) >= limit:
            return False
        held[socket_id] = now + seconds
        cache.set(_key(user_id), held, timeout=seconds)
        return True
