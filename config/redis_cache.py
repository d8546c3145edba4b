"""Django's Redis cache with one connection pool per process and server, not one per request.

Django builds a new cache object for every thread and async context, so under daphne for
every request, and its RedisCacheClient opens a connection pool per object: each request
paid a TCP connect, a HELLO and redis-py's version lookup before its first cache read
(Django ticket #35651). redis-py's pools are thread-safe and reset themselves in a forked
child, so the pools here are shared by every cache object of the process.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools = {}
_pools_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, self._pool_class, repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(server, **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
