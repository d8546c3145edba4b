"""Django's Redis cache with one connection pool and one client per process and server, not one per request.

Django builds a new cache object for every thread and async context, so under daphne for
every request, and its RedisCacheClient opens a connection pool per object: each request
paid a TCP connect, a HELLO and redis-py's version lookup before its first cache read
(Django ticket #35651). It also builds a new redis-py client for every command, whose
table of about 170 reply callbacks costs more than the command's round trip. redis-py's
pools and clients are thread-safe, and a pool resets itself in a forked child, so both
are shared by every cache object of the process.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients = {}
_clients_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        server = self._servers[self._get_connection_pool_index(write)]
        shared = (server, self._pool_class, repr(sorted(self._pool_options.items())))
        client = _clients.get(shared)
        if client is None:
            with _clients_lock:
                client = _clients.get(shared)
                if client is None:
                    pool = self._pool_class.from_url(server, **self._pool_options)
                    client = _clients[shared] = self._client(connection_pool=pool)
        return client


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient

    def count_up(self, key, timeout: int, version=None) -> int:
        """Add one to the counter at `key`, made at 0 to expire in `timeout` seconds if it is not there.

        One round trip (SET NX EX and INCR in one MULTI), where add() then incr() take three.
        """
        key = self.make_and_validate_key(key, version=version)
        with self._cache.get_client(key, write=True).pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]
