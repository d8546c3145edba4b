"""The test run's own setup: its settings module, the processes it starts on Walker's settings, and the markers
that make `pytest -m "not slow"` a quick loop and skip PostgreSQL's tests on SQLite saying why."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db import connection

from tests import time_limit
from tests.settings import _redis_of_this_worker
from tests.workers import process_environment

ROOT = Path(__file__).resolve().parents[2]
SLOW = [  # what starts a browser, Walker's processes or a fault
    "tests/browser",
    "tests/faults",
    "tests/console/test_live_browser.py",
    "tests/takeover/test_console_browser.py",
    "tests/takeover/test_widget_browser.py",
    "tests/message_path/test_real_worker.py",
    "tests/hitl/test_worker_recovery.py",
    "tests/message_path/test_fresh_figures.py::test_a_worker_proposes_from_the_budget_another_process_changed",
    "tests/config/test_body_limit.py::test_daphne_answers_413_for_bodies_over_the_cap_and_passes_smaller_ones_to_django",
    "tests/chat/test_socket_leases.py::test_the_sockets_of_a_daphne_that_crashed_stop_counting_within_the_lease",
]


def test_the_run_uses_the_test_settings_with_a_fast_hasher():
    assert settings.SETTINGS_MODULE == "tests.settings"
    assert get_hasher().algorithm == "md5"


def test_the_processes_tests_start_run_walkers_own_settings_with_the_runs_mail_folder():
    environment = process_environment(LOG_LEVEL="info")
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings" and environment["LOG_LEVEL"] == "info"
    assert environment["EMAIL_CONSOLE_DIR"] == str(settings.EMAIL_CONSOLE_DIR)


@pytest.mark.postgres("nothing but the marker")
def test_a_postgres_test(db):
    assert connection.vendor == "postgresql"


def test_a_row_lock_test(postgres_only):
    assert connection.vendor == "postgresql"


def test_postgres_tests_are_skipped_on_sqlite_saying_why(request):
    samples = {i.name: i for i in request.session.items if i.name in ("test_a_postgres_test", "test_a_row_lock_test")}
    reasons = {name: [mark.kwargs["reason"] for mark in item.iter_markers("skip")] for name, item in samples.items()}
    assert all(item.get_closest_marker("postgres") for item in samples.values())  # `-m postgres` selects both
    if connection.vendor == "postgresql":
        assert reasons == {"test_a_postgres_test": [], "test_a_row_lock_test": []}
    else:
        assert reasons == {
            "test_a_postgres_test": ["needs PostgreSQL (nothing but the marker); CI runs it (DATABASE_URL)"],
            "test_a_row_lock_test": [
                "needs PostgreSQL (row locks and concurrent connections); CI runs it (DATABASE_URL)"
            ],
        }


# The suite's own rules, checked in a pytest of their own: the same on either shape (tests/shape_free.py).
HARNESS = pytest.mark.shape_neutral("the test harness's rules, in a pytest of their own")


@pytest.mark.slow
@HARNESS
def test_not_slow_leaves_out_the_browser_fault_worker_and_daphne_tests():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "not slow", *SLOW],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "no tests collected" in collected.stdout and "deselected" in collected.stdout, collected.stdout


def inner_pytest(folder, plugin, *args) -> subprocess.CompletedProcess:
    """pytest with two xdist workers on the tests in `folder`, with one of the suite's plugins and without Django."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", plugin, "-p", "no:django", "-p", "no:cacheprovider", "-c", "/dev/null",
         "--rootdir", str(folder), "-n", "2", "-W", "ignore::pytest.PytestUnknownMarkWarning", *args, str(folder)],
        cwd=ROOT, env={**process_environment(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


TIMED = f"""
import time, pytest
def busy(seconds):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
def test_quick(): pass
def test_waits_over_one(): time.sleep(1.1)
def test_waits_two_on_a_stalled_machine(): time.sleep(2)
def test_waits_over_the_wall_line(): time.sleep({time_limit.FAIL_WALL_SECONDS + 1})
def test_computes_over_the_processor_line(): busy({time_limit.FAIL_PROCESSOR_SECONDS + 0.1})
@pytest.mark.slow
def test_marked_slow(): busy(1.6)
@pytest.fixture(scope="module")
def shared(): busy(1.6)
def test_a_shared_fixture_is_not_counted(shared): pass
"""


@pytest.mark.slow
@HARNESS
def test_a_test_not_marked_slow_is_listed_over_a_second_and_fails_past_its_processor_or_wall_line(tmp_path):
    (tmp_path / "test_timed.py").write_text(TIMED)
    done = inner_pytest(tmp_path, "tests.time_limit", "-rf")
    limits = f"{time_limit.FAIL_PROCESSOR_SECONDS} s of processor or {time_limit.FAIL_WALL_SECONDS:.0f} s"
    summary = done.stdout.split(f"over 1 s (fails past {limits})", 1)[1]
    assert "test_waits_over_one" in summary and "test_waits_two_on_a_stalled_machine" in summary, done.stdout
    assert "test_quick" not in summary and "shared" not in summary, done.stdout
    failed = done.stdout.split("short test summary info")[1]
    assert "test_waits_over_the_wall_line" in failed and "test_computes_over_the_processor_line" in failed, failed
    # A second past the wall line: CI once measured a 10.1 s sleep under the 10 s line on a loaded machine.
    took = re.search(r"its call took (\d+\.\d+) s \(0\.\d+ s of processor\)", done.stdout)
    assert took and float(took[1]) > time_limit.FAIL_WALL_SECONDS, done.stdout
    assert f"({time_limit.FAIL_PROCESSOR_SECONDS + 0.1:.1f}" in done.stdout, done.stdout
    assert "2 failed, 5 passed" in done.stdout, done.stdout


GROUPED = """
import os, pytest
def ran(kind):
    with open(os.path.join(os.path.dirname(__file__), "ran.txt"), "a") as ran:
        ran.write(f"{kind} {os.environ['PYTEST_XDIST_WORKER']}\\n")
@pytest.mark.processes
@pytest.mark.parametrize("n", range(4))
def test_a_server_shape(n): ran("servers")
@pytest.mark.processes
@pytest.mark.browser
@pytest.mark.parametrize("n", range(4))
def test_a_browser(n): ran("browser")
@pytest.mark.parametrize("n", range(8))
def test_anything_else(n): ran("else")
"""


@pytest.mark.slow
@HARNESS
def test_the_processes_tests_run_one_after_another_on_one_worker(tmp_path):
    """pytest 9.2 silently broke pytest-xdist's groups (pytest-xdist #1386): nothing failed, the tests spread."""
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = inner_pytest(tmp_path, "tests.process_groups", "--dist", "loadgroup", "-v")
    assert done.returncode == 0, done.stdout
    workers = {}
    for line in (tmp_path / "ran.txt").read_text().splitlines():
        kind, worker = line.split()
        workers.setdefault(kind, set()).add(worker)
    assert len(workers["servers"] | workers["browser"]) == 1, workers
    assert "test_a_server_shape[0]@processes" in done.stdout and "test_a_browser[0]@processes" in done.stdout


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@cache:6380/3", "gw2", "redis://:secret@cache:6380/5"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
    ],
)
def test_each_xdist_worker_has_a_redis_database_of_its_own(url, worker, expected):
    assert _redis_of_this_worker(url, worker) == expected


SHAPE_FREE = """
import pytest
@pytest.fixture
def db(): pass
@pytest.mark.shape_free
def test_on_its_own(): pass
@pytest.mark.shape_free
def test_on_the_runs_database(db): pass
"""
SHAPE_NEUTRAL = """
import pytest
@pytest.mark.shape_neutral("the words of a page")
def test_says_why(): pass
@pytest.mark.shape_neutral
def test_says_nothing(): pass
@pytest.mark.shape_neutral("  ")
def test_says_a_blank(): pass
"""


def _collect_with_the_shape_plugin(folder):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.shape_free", "-p", "no:django", "-p", "no:cacheprovider",
         "-c", "/dev/null", "--rootdir", str(folder), "-W", "ignore::pytest.PytestUnknownMarkWarning", str(folder)],
        cwd=ROOT, env={**process_environment(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_a_shape_free_test_that_asks_for_the_runs_database_is_refused_at_collection(tmp_path):
    """.ci/run leaves shape_free tests out of its services run: one that reads the run's database would go untested
    on PostgreSQL."""
    (tmp_path / "test_marked.py").write_text(SHAPE_FREE)
    done = _collect_with_the_shape_plugin(tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "test_marked.py::test_on_the_runs_database" in done.stderr, done.stderr
    assert "test_on_its_own" not in done.stderr, done.stderr


@pytest.mark.slow
def test_a_shape_neutral_test_must_say_why(tmp_path):
    """The services run leaves shape_neutral tests out too: each says why its subject does not depend on the shape."""
    (tmp_path / "test_marked.py").write_text(SHAPE_NEUTRAL)
    done = _collect_with_the_shape_plugin(tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "test_says_nothing" in done.stderr and "test_says_a_blank" in done.stderr, done.stderr
    assert "test_says_why" not in done.stderr, done.stderr


EMBEDDED_ONLY = """
import pytest
@pytest.fixture
def postgres_only(): pass
@pytest.mark.shape_neutral("the words of a page")
def test_words(): pass
@pytest.mark.shape_neutral("the words of a page")
def test_words_under_a_row_lock(postgres_only): pass
@pytest.mark.shape_free
@pytest.mark.postgres("its own features")
def test_its_own_postgres(): pass
"""


@pytest.mark.slow
def test_a_postgres_test_marked_for_the_embedded_shape_only_is_refused(tmp_path):
    """Skipped on SQLite and left out of the services run, it would run nowhere in CI."""
    (tmp_path / "test_marked.py").write_text(EMBEDDED_ONLY)
    done = _collect_with_the_shape_plugin(tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    listed = done.stderr.split("in the embedded shape only: ", 1)[1].splitlines()[0].split(", ")
    assert listed == ["test_marked.py::test_words_under_a_row_lock", "test_marked.py::test_its_own_postgres"], listed
