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

    def hold_lease(self, key, member: str, seconds: int, limit: int | None = None, version=None) -> bool:
        """Hold `member`'s lease in the set at `key` for `seconds` from now (Redis's clock); False, and nothing
        held, when `limit` other unexpired leases are held there (None: no limit, as for a renewal).

        One script, so concurrent callers never pass the limit together; a lease nobody renews lapses by itself,
        and the count of leases cannot go below zero.
        """
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        return bool(client.eval(_HOLD_LEASE, 1, key, member, -1 if limit is None else limit, seconds))

    def drop_lease(self, key, member: str, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._cache.get_client(key, write=True).zrem(key, member)


# KEYS[1]: a sorted set of members scored by when their lease ends. ARGV: member, limit (-1: none), seconds.
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
