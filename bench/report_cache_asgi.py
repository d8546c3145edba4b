"""Walker's ASGI application (config.asgi) counting the statements it sends the database, for
bench/report_cache_bench.py: those sent while a report is computed (the dashboard's figures, the
analytics API's reports) apart from the rest (sessions, permissions, the sidebar's count), in Redis
(bench:report-cache:*), so the benchmark reads every web process's count at once.
"""

import os
import threading

import redis
from django.db.backends.signals import connection_created

from config.asgi import application  # noqa: F401  (sets Django up first)
from reports import dashboard, queries

COUNTS = redis.Redis.from_url(os.environ["REDIS_URL"])
computing = threading.local()


def _counted(real):
    def report(*args, **kwargs):
        computing.report = True
        try:
            return real(*args, **kwargs)
        finally:
            computing.report = False

    return report


for module, name in (
    (dashboard, "approval_figures"),
    (dashboard, "activity_figures"),
    (queries, "conversation_report"),
    (queries, "approval_report"),
):
    setattr(module, name, _counted(getattr(module, name)))


def _count(execute, sql, params, many, context):
    COUNTS.incr("bench:report-cache:report" if getattr(computing, "report", False) else "bench:report-cache:other")
    return execute(sql, params, many, context)


def _install(sender, connection, **kwargs):
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


connection_created.connect(_install)
