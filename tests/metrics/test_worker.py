"""A real prefork Celery worker (two children) writing to a multiprocess directory and serving it on
METRICS_WORKER_PORT: its tasks are counted by queue, its children are counted alive, and once it stops its children
have marked themselves dead, so the live gauge drops while the counters stay."""

import signal
import socket
import urllib.request

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from hitl.tasks import process_deadlines
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.processes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def values(text: str) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(port) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return values(response.read().decode())
    except OSError:
        return {}


def test_a_prefork_worker_serves_its_childrens_metrics_and_they_leave_as_they_exit(broker, start_worker, tmp_path):
    directory = tmp_path / "multiproc"
    directory.mkdir()
    port = free_port()
    worker = start_worker(
        pool="prefork", concurrency=2, PROMETHEUS_MULTIPROC_DIR=str(directory), METRICS_WORKER_PORT=str(port)
    )
    alive = ("walker_worker_processes", ())
    wait_for(lambda: scrape(port).get(alive) == 2, "two children counted alive on the worker's port", timeout=90)

    process_deadlines.delay()
    process_deadlines.delay()
    done = ("walker_tasks_total", (("queue", "notifications"), ("state", "SUCCESS")))
    wait_for(lambda: scrape(port).get(done, 0) >= 2, "both tasks counted", timeout=60)
    scraped = scrape(port)
    assert scraped[("walker_task_seconds_count", (("queue", "notifications"),))] >= 2
    stamped = ("walker_periodic_task_last_success_timestamp_seconds", (("task", "hitl.tasks.process_deadlines"),))
    assert scraped[stamped] > 0

    worker.send_signal(signal.SIGTERM)  # a warm shutdown: each child exits through worker_process_shutdown
    worker.wait(60)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    after = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for family in registry.collect() for s in family.samples
    }
    assert after.get(alive, 0) == 0
    assert after[done] >= 2
