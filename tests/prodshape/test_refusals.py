"""bin/run-prod-shape refuses to start, saying why, before it starts anything: without its database or Redis,
without nginx, or with a configuration nginx refuses. Started with SIGHUP ignored, it says it cannot roll."""

import shutil
import subprocess

import pytest

from tests.faults.harness import ROOT


def run_shape(tmp_path, *, signals="--default-signal=HUP", **env) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "PROD_SHAPE_DIR": str(tmp_path / "shape")}
    return subprocess.run(
        ["env", signals, str(ROOT / "bin" / "run-prod-shape")],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_database_url(tmp_path):
    done = run_shape(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert done.returncode == 1
    assert "DATABASE_URL is not set" in done.stderr


def test_started_under_nohup_it_says_that_sighup_cannot_roll(tmp_path):
    done = run_shape(tmp_path, signals="--ignore-signal=HUP")
    assert "SIGHUP is ignored (started under nohup?)" in done.stdout and "env --default-signal=HUP" in done.stdout
    assert "SIGHUP is ignored" not in run_shape(tmp_path).stdout


def test_without_redis(tmp_path):
    done = run_shape(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:5432/nothing")
    assert done.returncode == 1
    assert "REDIS_URL is not set" in done.stderr


def test_without_nginx(tmp_path):
    done = run_shape(
        tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:5432/nothing", REDIS_URL="redis://127.0.0.1:6379/0",
        NGINX=str(tmp_path / "no-nginx"),
    )  # fmt: skip
    assert done.returncode == 1
    assert "nginx is missing" in done.stderr and "make nginx" in done.stderr


@pytest.mark.skipif(shutil.which("nginx") is None and shutil.which("/usr/sbin/nginx") is None, reason="needs nginx")
def test_a_configuration_nginx_refuses_stops_it_before_any_process(tmp_path):
    done = run_shape(
        tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:5432/nothing", REDIS_URL="redis://127.0.0.1:6379/0",
        WALKER_HTTPS_PORT="not-a-port",
    )  # fmt: skip
    assert done.returncode == 1
    assert "nginx refused" in done.stderr, done.stdout + done.stderr
    # Secrets not given are made for the run, and it says which.
    assert "generated for this run only: SECRET_KEY ENCRYPTION_KEYS PII_HASH_KEY JWT_SIGNING_KEY" in done.stdout
    assert not (tmp_path / "shape" / "logs" / "migrate.log").exists()  # nothing ran
