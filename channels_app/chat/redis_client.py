"""The default cache's own Redis client, for the chat's counters that need one atomic round trip (the rate
counter, the socket leases); None on the embedded in-memory cache. django-redis hands out its client, on the
process's one connection pool."""

from django.core.cache import caches
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis import Redis


def redis_client() -> Redis | None:
    return get_redis_connection("default") if isinstance(caches["default"], RedisCache) else None
