"""The test run's settings: Walker's own (config.settings, read from the environment like any deployment's) with
what every test wants instead. pyproject's pytest section selects this module; the processes tests start
(Celery workers, daphne) run config.settings as deployments do (tests/workers.py: process_environment).
"""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

# The console email provider stores every message in EMAIL_CONSOLE_DIR, by default the developer's own var/mail:
# the run uses a temporary folder instead, and so do the processes it starts (they inherit the variable).
_MAIL = tempfile.mkdtemp(prefix="walker-test-mail-")
atexit.register(shutil.rmtree, _MAIL, ignore_errors=True)
os.environ["EMAIL_CONSOLE_DIR"] = _MAIL
# Channels' test communicators never hand a worker thread's connection back, which would drain the psycopg pool:
# the run goes without it unless told otherwise (the tests of real workers and servers turn it on for them).
os.environ.setdefault("DATABASE_POOL", "0")
# PostgreSQL commits without waiting for its log to reach the disk (libpq reads PGOPTIONS, for this process and
# every one it starts): a crash of the database server could lose the last commits, which no test survives anyway.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")


def _redis_of_this_worker(url: str, worker: str) -> str:
    """pytest-xdist's worker gwN uses the Redis database N places after the run's own (REDIS_URL's, 0 by default)
    and channel-layer names of its own (pub/sub channels are shared by every database): its cache clears, broker
    queues and socket groups are its alone."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker.removeprefix('gw'))}"))


# Set in the environment, so the processes a test starts (workers, daphne) share the worker's Redis database.
if (_worker := os.environ.get("PYTEST_XDIST_WORKER")) and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _redis_of_this_worker(os.environ["REDIS_URL"], _worker)
    os.environ["CHANNEL_LAYER_PREFIX"] = f"asgi-{_worker}"
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        os.environ["CELERY_BROKER_URL"] = _redis_of_this_worker(os.environ["CELERY_BROKER_URL"], _worker)

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # no test is about the cost of hashing
