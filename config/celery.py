"""The Celery app. Its configuration is the CELERY_* settings, including the beat schedule."""

import logging.config
import os

import structlog
from celery import Celery
from celery.signals import setup_logging, task_postrun, worker_init
from django.conf import settings
from django_structlog.celery.steps import DjangoStructLogInitStep

from config import (
    celery_metrics,  # noqa: F401  (connects the workers' metrics to Celery's signals)
    heap,
)
from config.dbpool import keep_pool_between_tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("walker")
app.config_from_object("django.conf:settings", namespace="CELERY")
keep_pool_between_tasks(app)  # celery/celery#10554 (config.dbpool)
app.steps["worker"].add(DjangoStructLogInitStep)  # a task's log lines carry the context of the request that queued it
app.autodiscover_tasks()


@setup_logging.connect
def use_walkers_logging(**kwargs):
    """Workers and beat log as the web process does (settings.LOGGING, config/logs.py), not as Celery would."""
    logging.config.dictConfig(settings.LOGGING)


def forget_the_tasks_log_context(**kwargs):
    """A worker's own lines between tasks ("Task ... received") name no task: not the one before."""
    structlog.contextvars.clear_contextvars()


@worker_init.connect
def clear_log_context_after_each_task(**kwargs):
    """In workers only: where a task runs in the process that queued it (tests), the context is the caller's."""
    task_postrun.connect(forget_the_tasks_log_context, weak=False)


@worker_init.connect
def settle_the_heap(**kwargs):
    """Before the pool forks: the children inherit the frozen heap and the collector's thresholds (config.heap)."""
    heap.settle()
