"""The Celery app. Its configuration is the CELERY_* settings, including the beat schedule."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings
from django_structlog.celery.steps import DjangoStructLogInitStep

from config import celery_metrics  # noqa: F401  (connects the workers' metrics to Celery's signals)
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
