"""The Dockerfile and its build context, linted and read: the image is never built here (docs/deploy.md)."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.deploy.tools import ROOT, checkov_failures

pytestmark = pytest.mark.shape_free  # tests/shape_free.py

DOCKERFILE = ROOT / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def stages() -> list[list[tuple[str, str]]]:
    result = []
    for instruction in instructions(DOCKERFILE.read_text()):
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


@pytest.mark.slow
def test_checkov_finds_nothing_in_the_dockerfile():
    assert checkov_failures("--framework", "dockerfile", "--file", str(DOCKERFILE)) == []


def test_two_stages_on_a_pinned_slim_python_311():
    build, final = stages()
    for stage in (build, final):
        assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+( AS \w+)?", stage[0][1]), stage[0]
    assert build[0][1].endswith(" AS build")


def test_the_final_stage_runs_as_an_unprivileged_user_with_no_build_tools():
    final = stages()[-1]
    users = [args for name, args in final if name == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert int(users[-1].split(":")[0]) >= 10000  # outside the base image's and the node's system accounts
    runs = " ".join(args for name, args in final if name == "RUN")
    assert not re.search(r"\b(apt-get|apt|pip) install\b|\b(gcc|build-essential|make)\b", runs)
    assert "pip uninstall --yes" in runs
    assert {name for name, _ in final} >= {"HEALTHCHECK", "ENTRYPOINT", "CMD"}
    assert ("ENTRYPOINT", '["/app/bin/walker"]') in final
    assert next(args for name, args in final if name == "HEALTHCHECK").endswith('CMD ["/app/bin/healthcheck"]')


def build_stage_environment() -> dict[str, str]:
    env = {}
    for name, args in stages()[0]:
        if name == "ENV":
            env.update(token.split("=", 1) for token in shlex.split(args))
    return env


@pytest.mark.slow
def test_the_builds_collectstatic_step_runs_with_the_build_stages_environment():
    """The build stage's environment passes DEBUG=0's checks, and its collectstatic step runs in it (a dry run here;
    the next test collects for real)."""
    build = stages()[0]
    assert any("bin/walker collectstatic" in args for name, args in build if name == "RUN")
    env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}, **build_stage_environment()}
    assert env["DEBUG"] == "0"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PATH"] = f"{os.path.dirname(sys.executable)}:{env['PATH']}"
    collected = subprocess.run(
        [str(ROOT / "bin" / "walker"), "collectstatic", "--dry-run", "--verbosity", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    # Every file counts, copied or already there (make run and the production-shape test collect into the checkout).
    found = re.search(r"(\d+) static files? copied to '[^']+'(?:, (\d+) unmodified)?", collected.stdout)
    assert found and int(found[1]) + int(found[2] or 0) > 0, collected.stdout


COLLECT_INTO = """
import sys, django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.STATIC_ROOT = sys.argv[1]
call_command("collectstatic", "--noinput", "--verbosity", "0")
"""


@pytest.mark.slow
def test_the_builds_collectstatic_post_processes_every_file_with_the_manifest_storage(tmp_path):
    """The build's collectstatic for real, into a temporary folder: production's manifest storage (DEBUG=0) names
    every file by its hash and refuses a stylesheet that points at a missing file, which a dry run does not reach."""
    env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}, **build_stage_environment()}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", COLLECT_INTO, str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "favicon.svg" in manifest["paths"] and "admin/walker-live.js" in manifest["paths"]
    hashed = tmp_path / manifest["paths"]["admin/walker-live.js"]
    assert hashed.exists() and hashed.with_name(hashed.name + ".gz").exists()


def test_the_build_context_leaves_out_local_state_secrets_and_what_only_develops_walker():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".env", "var", "staticfiles", "tests", "bench", "deploy"} <= ignored
    # What the image runs is never left out.
    for needed in ("config", "bin", "static", "templates", "locale", "manage.py", "requirements.txt"):
        assert needed not in ignored and f"{needed}/" not in ignored
