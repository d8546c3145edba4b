"""The test run's settings: Walker's own (config.settings, read from the environment like any deployment's) with
what every test wants instead. pyproject's pytest section selects this module; the processes tests start
(Celery workers, daphne) run config.settings as deployments do (tests/workers.py: process_environment).
"""

import atexit
import os
import shutil
import tempfile

# The console email provider stores every message in EMAIL_CONSOLE_DIR, by default the developer's own var/mail:
# the run uses a temporary folder instead, and so do the processes it starts (they inherit the variable).
_MAIL = tempfile.mkdtemp(prefix="walker-test-mail-")
atexit.register(shutil.rmtree, _MAIL, ignore_errors=True)
os.environ["EMAIL_CONSOLE_DIR"] = _MAIL
# Channels' test communicators never hand a worker thread's connection back, which would drain the psycopg pool:
# the run goes without it unless told otherwise (the tests of real workers and servers turn it on for them).
os.environ.setdefault("DATABASE_POOL", "0")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # no test is about the cost of hashing
