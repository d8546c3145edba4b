"""bin/walker, the image's entrypoint: each role starts the right command, with fakes of daphne, celery and python
first on PATH, which record how they were called."""

import os
import subprocess

import pytest

from tests.deploy.tools import ROOT

pytestmark = pytest.mark.shape_free  # tests/shape_free.py

FAKE = """#!/bin/sh
echo "$(basename "$0") $* [in $(pwd)]" >> "$FAKE_LOG"
if [ "$(basename "$0")" = python ] && [ "$2" = migrate ] && [ "$3" = --check ]; then
  calls=$(grep -c "migrate --check" "$FAKE_LOG")
  [ "$calls" -gt "${FAKE_PENDING_CHECKS:-0}" ] || exit 1
fi
"""


@pytest.fixture
def walker(tmp_path):
    """Runs bin/walker with fake commands; returns (exit code, stderr, the fakes' calls)."""
    fakes = tmp_path / "bin"
    fakes.mkdir()
    for name in ("daphne", "celery", "python"):
        (fakes / name).write_text(FAKE)
        (fakes / name).chmod(0o755)
    log = tmp_path / "calls.log"

    def run(*args, **env):
        log.write_text("")
        environment = {"PATH": f"{fakes}:/usr/bin:/bin", "FAKE_LOG": str(log), "MIGRATION_POLL_SECONDS": "0", **env}
        result = subprocess.run(
            [str(ROOT / "bin" / "walker"), *args], cwd="/", env=environment, capture_output=True, text=True, timeout=30
        )
        return result.returncode, result.stderr, log.read_text().splitlines()

    return run


def test_web_and_websocket_serve_daphne_on_every_interface(walker):
    for role in ("web", "websocket"):
        assert walker(role) == (
            0,
            "",
            [f"daphne --bind 0.0.0.0 --port 8000 --access-log - config.asgi:application [in {ROOT}]"],
        )
    assert walker("web", PORT="9000")[2][0].startswith("daphne --bind 0.0.0.0 --port 9000 ")


def test_a_worker_consumes_the_queues_it_is_given(walker):
    code, _, calls = walker("worker", "answers")
    assert (code, calls) == (0, [f"celery -A config worker --queues answers --loglevel info [in {ROOT}]"])
    code, _, calls = walker("worker", "notifications,bulk", "--concurrency", "4", LOG_LEVEL="warning")
    assert calls == [
        f"celery -A config worker --queues notifications,bulk --loglevel warning --concurrency 4 [in {ROOT}]"
    ]


@pytest.mark.parametrize("args", [("worker",), ("worker", "")])
def test_a_worker_without_queues_is_refused(walker, args):
    code, stderr, calls = walker(*args)
    assert (code, calls) == (64, [])
    assert "worker needs its queues" in stderr


def test_beat_keeps_its_pid_file_in_the_writable_tmp(walker):
    assert walker("beat")[2] == [f"celery -A config beat --loglevel info --pidfile /tmp/celerybeat.pid [in {ROOT}]"]


def test_migrate_and_manage_run_manage_py(walker):
    assert walker("migrate")[2] == [f"python manage.py migrate --noinput [in {ROOT}]"]
    assert walker("manage", "rotate_encryption_keys")[2] == [f"python manage.py rotate_encryption_keys [in {ROOT}]"]


def test_wait_for_migrations_checks_until_they_are_applied(walker):
    code, stderr, calls = walker("wait-for-migrations", FAKE_PENDING_CHECKS="2")
    assert code == 0
    assert calls == [f"python manage.py migrate --check [in {ROOT}]"] * 3
    assert stderr.count("not applied yet") == 2
    assert walker("wait-for-migrations")[:2] == (0, "")


@pytest.mark.parametrize(("args", "said"), [((), "no role given"), (("serve",), "unknown role 'serve'")])
def test_no_role_or_an_unknown_one_is_refused_naming_the_roles(walker, args, said):
    code, stderr, calls = walker(*args)
    assert (code, calls) == (64, [])
    assert said in stderr
    assert "roles: web, websocket, worker QUEUE[,QUEUE], beat, migrate" in stderr


def test_the_entrypoint_is_executable():
    assert os.access(ROOT / "bin" / "walker", os.X_OK)
    assert os.access(ROOT / "bin" / "healthcheck", os.X_OK)


def test_collectstatic_is_the_builds_step(walker):
    assert walker("collectstatic", "--verbosity", "0")[2] == [
        f"python manage.py collectstatic --noinput --verbosity 0 [in {ROOT}]"
    ]
