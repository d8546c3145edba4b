"""config.settings with a bare view beside the product's URLs, for bench/webhook_bench.py. Benchmark-only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webhook_urls"
