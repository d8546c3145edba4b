"""Walker as it runs for people, for browser tests of what crosses processes: daphne and a separate Celery
worker on the test database, in one of two shapes.

- "embedded": `make run`'s shape: no Redis, Django's in-memory channel layer (it never leaves daphne) and
  kombu's filesystem broker (in the test's own folder, never var/);
- "redis": channels_redis and the Redis broker, on a Redis server of the test's own.

The world outside is the fault tests' `Outside` (tests/faults/harness.py): its /actions is the tenant's
action receiver, whose answer the test can hold to watch an execution run.
"""

import sys
from pathlib import Path

from tests.faults.harness import Daphne, Process, RedisServer, Worker, free_port
from tests.workers import QUEUES, process_environment

SHAPES = ("embedded", "redis")


class LiveStack:
    """One daphne and one prefork worker in `shape`; every process is killed by close()."""

    def __init__(self, shape: str, tmp_path: Path, database_url: str):
        assert shape in SHAPES, shape
        self.processes: list[Process] = []
        env = {
            **process_environment(),
            "DATABASE_URL": database_url,
            "DATABASE_POOL": "1",
            "AGENT_ENGINE": "builtin",
            "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",  # the tenant's action receiver is the test's
            "EMAIL_CONSOLE_DIR": str(tmp_path / "mail"),
            "LOG_LEVEL": "info",
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "EVENT_POLL_SECONDS", "CHAT_IDLE_POLL_SECONDS"):
            env.pop(name, None)  # each shape's own defaults, as its settings derive them
        if shape == "redis":
            redis = self._keep(RedisServer(tmp_path / "redis.log"))
            redis.wait_ready()
            env.update(REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url)
        else:
            env.update(CELERY_BROKER_URL="filesystem://", CELERY_FILESYSTEM_DIR=str(tmp_path / "broker"))
        worker_args = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
            "-Q", ",".join(QUEUES), "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
            "-n", "live@%h",
        ]  # fmt: skip
        self.worker = self._keep(Worker("worker", worker_args, env, tmp_path / "worker.log"))
        port = free_port()
        daphne_args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
        self.daphne = self._keep(Daphne(port, "daphne", daphne_args, env, tmp_path / "daphne.log"))
        self.worker.wait_ready()
        self.daphne.wait_ready()

    @property
    def url(self) -> str:
        return self.daphne.url

    def _keep(self, process):
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.processes):
            process.close()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.output()[-4000:]}" for p in self.processes)
