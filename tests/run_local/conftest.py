"""`make run`'s shape as a person runs it: bin/run-local (daphne, one Celery worker, beat) on the embedded default
(SQLite, the in-memory channel layer, the filesystem broker), in a folder of the test's own (WALKER_VAR_DIR)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.harness import free_port
from tests.workers import wait_for

ROOT = Path(__file__).resolve().parents[2]
# Variables that would take the processes off the embedded default, or out of the test's folder.
NOT_EMBEDDED = {
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_FILESYSTEM_DIR", "PROMETHEUS_MULTIPROC_DIR",
    "EMAIL_CONSOLE_DIR", "METRICS_TOKEN", "WALKER_HOST", "WALKER_PORT", "WALKER_VAR_DIR",
}  # fmt: skip
# Beat ticks every few seconds, as well as on its own schedule: each tick enqueues through the broker's folder
# while the worker reads it (the race of issue 46).
FAST_PERIODIC = [
    ("soak: SLA deadlines", "hitl.tasks.process_deadlines", 2),
    ("soak: stragglers", "conversations.tasks.answer_stragglers", 3),
]
PREPARE = """
from django.contrib.auth import get_user_model
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.authtoken.models import Token

for name, task, seconds in {fast}:
    every, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(name=name, defaults={{"task": task, "interval": every}})
print(Token.objects.get_or_create(user=get_user_model().objects.get(email="member@acme.test"))[0].key)
"""


def embedded_environment(var_dir: Path, **env: str) -> dict[str, str]:
    clean = {name: value for name, value in os.environ.items() if name not in NOT_EMBEDDED}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WALKER_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        "LOG_FORMAT": "console",
        **env,
    }


def manage(var_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=embedded_environment(var_dir),
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def seeded_var(tmp_path_factory):
    """A migrated, seeded SQLite database (the demo tenant, as `make run` seeds it), beat's fast ticks, and the
    member's API token; made once, copied for each test."""
    var_dir = tmp_path_factory.mktemp("run-local-template")
    manage(var_dir, "migrate", "--noinput")
    manage(var_dir, "seed_demo")
    token = manage(var_dir, "shell", "-c", PREPARE.format(fast=FAST_PERIODIC)).strip().splitlines()[-1]
    return var_dir, token


class RunLocal:
    """bin/run-local in a session of its own, its output in a log file; close() stops it and anything it left."""

    def __init__(self, var_dir: Path, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115  (closed by close())
        env = embedded_environment(var_dir, WALKER_PORT=str(self.port))
        self.popen = subprocess.Popen(
            ["bin/run-local"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.seen: set[int] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def healthy(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        return False

    def wait_ready(self) -> None:
        """The three up, and bin/run-local past its own wait for daphne (its banner): watching them. A worker killed
        earlier, while the script still probed daphne on a loaded machine, was seen only once that probe ended."""

        def ready():
            assert self.popen.poll() is None, f"bin/run-local exited:\n{self.output()[-3000:]}"
            output = self.output()
            return (
                self.healthy()
                and output.count(" ready.") >= 1
                and "beat: Starting" in output
                and "Walker is running." in output
            )

        wait_for(ready, "bin/run-local's three processes", timeout=180)

    def children(self) -> dict[str, int]:
        """The processes bin/run-local started and that run now, by name (daphne, worker, beat)."""
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.popen.pid or fields[0] == "Z":
                    continue
                name = process_name((stat.parent / "cmdline").read_bytes().decode().split("\0"))
                if name:
                    found[name] = int(stat.parent.name)
        self.seen.update(found.values())
        return found

    def stop(self, signum=signal.SIGTERM, timeout: float = 60) -> int:
        self.popen.send_signal(signum)
        return self.popen.wait(timeout)

    def close(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.stop()
        if self.popen.poll() is None:
            self.popen.kill()
        for pid in self.seen:  # each in a session of its own: a run-local killed outright leaves them
            if running(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        self._log.close()


def process_name(argv: list[str]) -> str | None:
    """daphne, worker or beat from a command line (python .venv/bin/daphne …, python .venv/bin/celery -A config
    worker …)."""
    if len(argv) > 1 and argv[1].endswith("/daphne"):
        return "daphne"
    if len(argv) > 4 and argv[1].endswith("/celery") and argv[4] in ("worker", "beat"):
        return argv[4]
    return None


@pytest.fixture
def run_local(seeded_var, tmp_path):
    template, _token = seeded_var
    var_dir = tmp_path / "var"
    shutil.copytree(template, var_dir)
    shutil.rmtree(var_dir / "celery-broker", ignore_errors=True)  # an empty broker, as after a restart
    started = RunLocal(var_dir, tmp_path / "run-local.log")
    yield started
    started.close()
    print(started.output()[-6000:])  # shown when the test failed


def running(pid: int) -> bool:
    """Alive, not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(running(pid) for pid in pids):
        time.sleep(0.2)
    assert not [pid for pid in pids if running(pid)]
