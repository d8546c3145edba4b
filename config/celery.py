"""The Celery app. Its configuration is the CELERY_* settings, including the beat schedule."""

import os

from celery import Celery
from celery.fixups.django import DjangoFixup, DjangoWorkerFixup
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class PoolKeepingWorkerFixup(DjangoWorkerFixup):
    """Celery's Django fixup, except that a task gives its connection back instead of closing the pool.

    Celery closes a prefork child's whole connection pool before and after every task
    (celery/celery#10554), so each task opened two or three new PostgreSQL sessions: about
    100 a second under chat load, a server process forked for each. Between tasks a
    connection is now handled as at the end of a request (Django's close_old_connections:
    back to the pool, or closed without one or when broken). A forked child still starts
    without its parent's pool (config.dbpool and Celery's own process-init clean-up).
    """

    def close_database(self, **kwargs) -> None:
        close_old_connections()


app = Celery("walker")
app.config_from_object("django.conf:settings", namespace="CELERY")
for _fixup in app._fixups:
    if isinstance(_fixup, DjangoFixup):
        _fixup.worker_fixup = PoolKeepingWorkerFixup(app)
app.autodiscover_tasks()
