"""The deployment's command-line tools (requirements-deploy.txt): from the .venv-deploy `make test` builds, else PATH.

They run offline: checkov is told not to fetch its guidelines or look for a newer version of itself.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_VENV_BIN = ROOT / ".venv-deploy" / "bin"
CHECKOV_CONFIG = ROOT / "deploy" / "checkov.yaml"
CHECKOV_OFFLINE = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}


def tool(name: str) -> str:
    """The path of a deployment tool; skips the test without it, but fails it in CI, which always installs them."""
    found = shutil.which(name, path=str(DEPLOY_VENV_BIN)) or shutil.which(name)
    if found:
        return found
    message = f"{name} is missing: `make deploy-tools` installs requirements-deploy.txt into .venv-deploy"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, **kwargs)


def checkov_failures(*args: str) -> list[str]:
    """checkov's failed checks over what `args` name, as "CHECK resource (file)" lines; skips from CHECKOV_CONFIG."""
    command = [tool("checkov"), "--config-file", str(CHECKOV_CONFIG), "--skip-download", "--output", "json", *args]
    result = run(command, env={**os.environ, **CHECKOV_OFFLINE})
    assert result.stdout.strip(), f"checkov printed nothing (exit {result.returncode}): {result.stderr[-2000:]}"
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    assert reports and all("results" in report for report in reports), f"checkov scanned nothing: {result.stdout}"
    return [
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for report in reports
        for check in report["results"]["failed_checks"]
    ]
