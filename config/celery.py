"""The Celery app. Its configuration is the CELERY_* settings, including the beat schedule."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("walker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
