"""A real `daphne config.asgi:application` process on a free loopback port, for tests of what only daphne does."""

import contextlib
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.workers import process_environment

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")


@contextlib.contextmanager
def running_daphne(log_path: Path, **env):
    """Start daphne with the test's environment plus `env`; yields (process, port); killed at the end."""
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", "0", "config.asgi:application"],
        cwd=ROOT,
        env=process_environment(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (port := LISTENING.search(log_path.read_text())):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield process, int(port[1])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        log.close()
