"""The client package's own tests (clients/python/tests: the clients against a fake Walker on loopback, and the
translation of decisions into LangGraph's and the OpenAI Agents SDK's answers), in its own virtualenv."""

import subprocess

import pytest

from tests.clients.test_adapters import CLIENTS_PYTHON, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.shape_free,
    pytest.mark.skipif(
        not CLIENTS_PYTHON.exists(), reason="needs the client package's virtualenv: `make client-tools`"
    ),
]


def test_the_client_packages_own_tests_pass():
    command = [str(CLIENTS_PYTHON), "-P", "-m", "pytest", "-p", "no:cacheprovider", "-q", "clients/python/tests"]
    run = subprocess.run(
        [*command, "--ignore", "clients/python/tests/e2e"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
