"""Helpers for tests that run real Celery workers (see the `broker` and `start_worker` fixtures)."""

import os
import time
from urllib.parse import quote

from django.conf import settings
from django.db import connection

# Every queue Walker declares (config/settings.py, CELERY_TASK_QUEUES): the workers tests start consume them all,
# as `make run`'s one worker does.
QUEUES = [queue.name for queue in settings.CELERY_TASK_QUEUES]


def wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def process_database_url() -> str:
    """DATABASE_URL of the test database, for processes the tests start (workers, daphne)."""
    db = connection.settings_dict
    login = f"{db['USER']}:{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else db["USER"]
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_environment(**env: str) -> dict[str, str]:
    """The environment of a process a test starts (a worker, daphne): the run's own plus `env`, on Walker's own
    settings as deployments run them, not the test run's (tests/settings.py)."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
