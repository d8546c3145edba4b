"""Helpers for tests that run real Celery workers (see the `broker` and `start_worker` fixtures)."""

import time


def wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
