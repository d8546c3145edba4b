"""The Dockerfile and its build context, linted and read: the image is never built here (docs/deploy.md)."""

import os
import re
import shlex
import subprocess
import sys

from tests.deploy.tools import ROOT, checkov_failures

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


def test_static_files_are_collected_at_build_with_productions_storage():
    """The build stage's environment passes DEBUG=0's checks and picks the manifest storage, and the build's
    collectstatic step runs with it (a dry run: the real one writes the image's staticfiles/)."""
    build = stages()[0]
    assert any("bin/walker collectstatic" in args for name, args in build if name == "RUN")
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        **build_stage_environment(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    assert env["DEBUG"] == "0"
    show = "import django; django.setup(); from django.conf import settings as s; print(s.STORAGES['staticfiles'])"
    shown = subprocess.run([sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "CompressedManifestStaticFilesStorage" in shown.stdout, shown.stderr
    env["PATH"] = f"{os.path.dirname(sys.executable)}:{env['PATH']}"
    collected = subprocess.run(
        [str(ROOT / "bin" / "walker"), "collectstatic", "--dry-run", "--verbosity", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    assert re.search(r"[1-9]\d* static files? copied", collected.stdout), collected.stdout


def test_the_build_context_leaves_out_local_state_secrets_and_what_only_develops_walker():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".env", "var", "staticfiles", "tests", "bench", "deploy"} <= ignored
    # What the image runs is never left out.
    for needed in ("config", "bin", "static", "templates", "locale", "manage.py", "requirements.txt"):
        assert needed not in ignored and f"{needed}/" not in ignored
