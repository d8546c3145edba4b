"""Channel-layer variants for the benchmarks; nothing else differs from config.settings.

Selected with BENCH_LAYER (run daphne with DJANGO_SETTINGS_MODULE=bench.settings_variants):

    settings   config.settings as it is
    defaults   RedisChannelLayer with channels-redis' own defaults: hosts=[REDIS_URL] and nothing else
               (capacity 100, redis-py's pool of 100 connections and 5 s socket timeout)
    queue      RedisChannelLayer with capacity 1000, max_connections 1000, socket_timeout 15
               (what config.settings configured when bench/RESULTS.md was recorded)
    without-capacity, without-max-connections, without-socket-timeout
               `queue` with that one setting left at its default (capacity 100, redis-py's 100
               pooled connections, redis-py's 5 s socket timeout), to show each one is needed
    pubsub     RedisPubSubChannelLayer on the same Redis, same host settings as `queue`

Also: BENCH_ENGINE_SLEEP (below) and the extra /bench/bare/ route of bench/urls.py.

Benchmark-only: never used by the product.
"""

import copy
import os

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL

BENCH_LAYER = os.environ.get("BENCH_LAYER", "settings")

if not REDIS_URL:
    raise RuntimeError("bench.settings_variants needs REDIS_URL (the benchmarks use a Redis channel layer)")

HOST = {"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5, "max_connections": 1000}
QUEUE = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [HOST], "capacity": 1000, "expiry": 60},
    }
}
WITHOUT = {
    "without-capacity": "capacity",
    "without-max-connections": "max_connections",
    "without-socket-timeout": "socket_timeout",
}

if BENCH_LAYER == "defaults":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
elif BENCH_LAYER == "queue":
    CHANNEL_LAYERS = copy.deepcopy(QUEUE)
elif BENCH_LAYER in WITHOUT:
    CHANNEL_LAYERS = copy.deepcopy(QUEUE)
    config = CHANNEL_LAYERS["default"]["CONFIG"]
    if WITHOUT[BENCH_LAYER] == "capacity":
        del config["capacity"]
    else:
        del config["hosts"][0][WITHOUT[BENCH_LAYER]]
elif BENCH_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [dict(HOST)]},
        }
    }
elif BENCH_LAYER != "settings":
    raise RuntimeError(f"Unknown BENCH_LAYER {BENCH_LAYER!r}")

# BENCH_ENGINE_SLEEP=<seconds>: the answers come from bench.sleepy_engine (the built-in engine after a sleep).
if os.environ.get("BENCH_ENGINE_SLEEP"):
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.apps.BenchConfig"]  # noqa: F405  (registers the engine when ready)
    AGENT_ENGINE = "sleepy"

# The product's URLs plus /bench/bare/ (bench/api_bench.py's baseline): the extra route changes nothing else.
ROOT_URLCONF = "bench.urls"
