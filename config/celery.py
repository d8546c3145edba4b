"""The Celery app. Its configuration is the CELERY_* settings, including the beat schedule."""

import os

from celery import Celery

from config import celery_metrics  # noqa: F401  (connects the workers' metrics to Celery's signals)
from config.dbpool import keep_pool_between_tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("walker")
app.config_from_object("django.conf:settings", namespace="CELERY")
keep_pool_between_tasks(app)  # celery/celery#10554 (config.dbpool)
app.autodiscover_tasks()
