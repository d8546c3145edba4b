"""prometheus-client's multiprocess mode: processes writing to one PROMETHEUS_MULTIPROC_DIR are added up by
`process_registry()`, and a process marked dead leaves the live gauges."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys
from core.metrics import ANSWER_SECONDS, MESSAGES_RECEIVED, WEBSOCKETS_OPEN, WORKER_PROCESSES
from core.metrics import PERIODIC_TASK_LAST_SUCCESS
n = int(sys.argv[1])
MESSAGES_RECEIVED.labels(channel="chat").inc(n)
ANSWER_SECONDS.labels(channel="chat").observe(n)
WEBSOCKETS_OPEN.labels(consumer="chat").inc()
WORKER_PROCESSES.inc()
PERIODIC_TASK_LAST_SUCCESS.labels(task="hitl.tasks.process_deadlines").set(1000 * n)
if sys.argv[2] == "exits":
    from config.celery_metrics import _child_exiting
    _child_exiting()  # what a prefork child does on its way out (worker_process_shutdown)
"""
READER = """
from prometheus_client import generate_latest
from core.metrics import process_registry
print(generate_latest(process_registry()).decode())
"""


def run(code, *args, directory):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def samples(text) -> dict:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.slow
def test_two_processes_add_up_and_the_dead_one_leaves_the_live_gauges(tmp_path):
    run(WRITER, "2", "stays", directory=tmp_path)
    run(WRITER, "3", "exits", directory=tmp_path)
    assert len(list(tmp_path.glob("*.db"))) >= 4  # each process wrote its own files

    scraped = samples(run(READER, directory=tmp_path))
    chat = (("channel", "chat"),)
    assert scraped[("walker_messages_received_total", chat)] == 5
    assert scraped[("walker_answer_seconds_count", chat)] == 2
    assert scraped[("walker_answer_seconds_sum", chat)] == 5
    assert scraped[("walker_answer_seconds_bucket", (("channel", "chat"), ("le", "2.0")))] == 1
    # livesum: only the process still counted as alive (the other marked itself dead on exit)
    assert scraped[("walker_websockets_open", (("consumer", "chat"),))] == 1
    assert scraped[("walker_worker_processes", ())] == 1
    # max: the latest of the two
    assert (
        scraped[("walker_periodic_task_last_success_timestamp_seconds", (("task", "hitl.tasks.process_deadlines"),))]
        == 3000
    )


def test_without_the_directory_a_process_shows_its_own_registry():
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    code = (
        "from core.metrics import process_registry as r; from prometheus_client import REGISTRY; print(r() is REGISTRY)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr


def test_prepare_metrics_dir_empties_the_metrics_files_only_then_runs_the_command(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old")
    (directory / "gauge_livesum_123.db").write_bytes(b"old")
    (directory / "README").write_text("kept")
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    script = ROOT / "bin" / "prepare-metrics-dir"
    done = subprocess.run([script, "sh", "-c", "ls $PROMETHEUS_MULTIPROC_DIR"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.split() == ["README"], done.stderr
    fresh = tmp_path / "new" / "dir"
    done = subprocess.run([script], env={**env, "PROMETHEUS_MULTIPROC_DIR": str(fresh)}, capture_output=True)
    assert done.returncode == 0 and fresh.is_dir()
    unset = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    done = subprocess.run([script], env=unset, capture_output=True, text=True)
    assert done.returncode != 0 and "PROMETHEUS_MULTIPROC_DIR is not set" in done.stderr
