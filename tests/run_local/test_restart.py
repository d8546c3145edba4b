"""bin/run-local starts a process that died again, and the others keep serving (issue 46: a dead worker took
daphne and beat down with it, and open pages got "connection refused")."""

import os
import signal
import threading

import httpx
import pytest

from tests.run_local.conftest import running, wait_gone
from tests.workers import wait_for

# Slow; the first test of a run also migrates and seeds the template database (tests/run_local/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.processes, pytest.mark.shape_free, pytest.mark.timeout(900)]


def test_a_killed_worker_is_started_again_while_daphne_answers_and_term_stops_all_three(run_local, seeded_var):
    _template, token = seeded_var
    run_local.wait_ready()
    first = run_local.children()
    assert set(first) == {"daphne", "worker", "beat"}

    failures = []
    watching = threading.Event()

    def watch_daphne():
        while not watching.is_set():
            if not run_local.healthy():
                failures.append("daphne did not answer /healthz")
            watching.wait(0.5)

    watcher = threading.Thread(target=watch_daphne)
    watcher.start()
    try:
        os.killpg(first["worker"], signal.SIGKILL)  # the worker and its pool, as a crash or the OOM killer would

        wait_for(lambda: "run-local: the Celery worker" in run_local.output(), "run-local to see the worker die")
        wait_for(lambda: run_local.output().count(" ready.") >= 2, "the worker to start again", timeout=120)
        again = run_local.children()
        assert again["worker"] != first["worker"]
        assert (again["daphne"], again["beat"]) == (first["daphne"], first["beat"])  # never stopped

        # The new worker answers: a message written through the API gets the agent's reply.
        api = httpx.Client(base_url=run_local.url, headers={"Authorization": f"Token {token}"}, timeout=60)
        conversation = api.post("/api/conversations/", json={"channel": "api"}).json()["id"]
        sent = api.post(f"/api/conversations/{conversation}/messages/?wait=30", json={"message": "How are my ads?"})
        assert sent.status_code == 200, sent.text
        assert sent.json()["reply"]["text"]
    finally:
        watching.set()
        watcher.join()
    assert failures == []
    line = next(line for line in run_local.output().splitlines() if line.startswith("run-local: the Celery worker"))
    assert f"(pid {first['worker']}) exited with status 137" in line
    assert "starting it again in 1s" in line

    assert run_local.stop(signal.SIGTERM) == 143
    wait_gone(run_local.seen)
    assert not any(running(pid) for pid in again.values())
    assert "Stopping daphne, the Celery worker and beat" in run_local.output()
