"""Walker before issue 34, for bench/queue_isolation_bench.py: every task on one queue, `celery`, as Celery's own
default routes them; nothing else differs from config.settings. Benchmark-only: never used by the product."""

from kombu import Exchange, Queue

from config.settings import *  # noqa: F403

CELERY_TASK_QUEUES = [Queue("celery", Exchange("celery"), routing_key="celery")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {}
