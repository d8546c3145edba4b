"""The test run's own setup: its settings module, the processes it starts on Walker's settings, and the markers
that make `pytest -m "not slow"` a quick loop and skip PostgreSQL's tests on SQLite saying why."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.db import connection

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


def test_not_slow_leaves_out_the_browser_fault_worker_and_daphne_tests():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "not slow", *SLOW],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "no tests collected" in collected.stdout and "deselected" in collected.stdout, collected.stdout
