"""What Celery workers tell Prometheus (docs/metrics.md): each task's time by queue and its final state, when each
task of the beat schedule last succeeded, and how many pool processes are alive.

Prefork children write to PROMETHEUS_MULTIPROC_DIR; a child that exits is marked dead, so the gauges that count
live processes drop it. With METRICS_WORKER_PORT set, the worker's main process serves the sum of every process
writing to that directory on that port, for a worker that runs where no web process reads its files.
"""

import os
import time

from celery import signals
from django.conf import settings
from prometheus_client import multiprocess, start_http_server

from core.metrics import (
    PERIODIC_TASK_LAST_SUCCESS,
    TASK_SECONDS,
    TASKS,
    WORKER_PROCESSES,
    process_registry,
    queue_names,
)

_started: dict[str, float] = {}  # task id -> perf_counter at its start, in this process


def _queue(task) -> str:
    """The queue the task was delivered from, if it is one of Walker's; the default queue for a task run eagerly."""
    info = getattr(task.request, "delivery_info", None) or {}
    name = info.get("routing_key") or getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    return name if name in queue_names() else "other"


def _periodic_tasks() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs):
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    queue = _queue(task)
    if started is not None:
        TASK_SECONDS.labels(queue=queue).observe(time.perf_counter() - started)
    TASKS.labels(queue=queue, state=state or "unknown").inc()
    if state == "SUCCESS" and task.name in _periodic_tasks():
        PERIODIC_TASK_LAST_SUCCESS.labels(task=task.name).set(time.time())


@signals.worker_process_init.connect
def _child_started(**kwargs):
    WORKER_PROCESSES.inc()


@signals.worker_process_shutdown.connect
def _child_exiting(**kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs):
    if settings.METRICS_WORKER_PORT:
        start_http_server(settings.METRICS_WORKER_PORT, addr=settings.METRICS_WORKER_ADDR, registry=process_registry())
