"""bin/healthcheck, the image's HEALTHCHECK: what it asks each role, and its answers."""

import importlib.machinery
import importlib.util

import pytest

from tests.deploy.tools import ROOT

pytestmark = pytest.mark.shape_free  # tests/shape_free.py


@pytest.fixture(scope="module")
def healthcheck():
    loader = importlib.machinery.SourceFileLoader("walker_healthcheck", str(ROOT / "bin" / "healthcheck"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("argv", "check"),
    [
        (["/opt/venv/bin/python", "/opt/venv/bin/daphne", "--bind", "0.0.0.0", "config.asgi:application"], "http"),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "config", "worker", "--queues", "answers"], "celery"),
        (["/opt/venv/bin/python", "/opt/venv/bin/celery", "-A", "config", "beat", "--loglevel", "info"], None),
        (["python", "manage.py", "migrate", "--noinput"], None),
    ],
)
def test_each_role_is_asked_what_fits_it(healthcheck, argv, check):
    assert healthcheck.check_for(argv) == check


def test_daphne_is_alive_while_healthz_answers_200(healthcheck, httpserver):
    httpserver.expect_request("/healthz").respond_with_json({"status": "ok"})
    assert healthcheck.http_alive(str(httpserver.port)) is True


def test_daphne_is_not_alive_when_healthz_fails_or_nothing_listens(healthcheck, httpserver):
    httpserver.expect_request("/healthz").respond_with_data("down", status=500)
    assert healthcheck.http_alive(str(httpserver.port)) is False
    httpserver.stop()
    assert healthcheck.http_alive(str(httpserver.port)) is False


@pytest.mark.parametrize(("exit_code", "alive"), [(0, True), (1, False)])
def test_a_worker_is_alive_when_it_answers_a_ping_to_its_own_node(healthcheck, tmp_path, monkeypatch, exit_code, alive):
    celery = tmp_path / "celery"
    celery.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\nexit {exit_code}\n')
    celery.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert healthcheck.celery_alive("walker-worker-answers-7d9f") is alive
    args = (tmp_path / "args").read_text().split()
    assert args == ["-A", "config", "inspect", "ping", "--destination", "celery@walker-worker-answers-7d9f"] + [
        "--timeout",
        "10",
    ]
