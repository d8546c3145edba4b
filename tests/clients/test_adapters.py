"""The client package's journeys (clients/python/tests/e2e) against a real Walker: daphne on the test database,
the package's own tests in its own virtualenv (.venv-clients, `make client-tools`: the OpenAI Agents SDK's
`agents` package cannot share Walker's), while this test plays the approver through Walker's API.

Each journey names in its request's `context` how to decide (journey:<rule>:<unique>): accept, edit, reject,
respond, expire (Walker's SLA sweep past the expiry), slow-accept (once the request is 4 seconds old)."""

import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from hitl.models import ApprovalRequest, ApprovalStatus
from hitl.services.sla import process_due
from tenants.identity import integration_tokens
from tests.action_types.conftest import registered
from tests.daphne import running_daphne
from tests.workers import process_database_url

ROOT = Path(__file__).resolve().parents[2]
CLIENTS_PYTHON = ROOT / ".venv-clients" / "bin" / "python"
JOURNEYS = "clients/python/tests/e2e"
DEADLINE = 600  # seconds for every journey together; they take about a minute

pytestmark = [
    pytest.mark.slow,
    pytest.mark.processes,
    pytest.mark.skipif(
        not CLIENTS_PYTHON.exists(), reason="needs the client package's virtualenv: `make client-tools`"
    ),
    pytest.mark.shape_neutral(
        "the client package's journeys over HTTP; the approval requests are tested on both shapes"
    ),
]

EDITS = {"action_data": {"amount": "500.00"}}
REASON = "Over the quarter's budget"
NOTE = "Propose 500 instead"


def database_url() -> str:
    """The test database, for daphne: the SQLite file itself, or PostgreSQL's test database."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return process_database_url()


@pytest.fixture
def walker(tmp_path, live_db):
    env = {
        "DATABASE_URL": database_url(),
        "WALKER_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_CONSOLE_DIR": str(tmp_path / "mail"),
        "CELERY_BROKER_URL": "filesystem://",  # notifications are queued, never sent: no worker in this test
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "broker"),
    }
    with running_daphne(tmp_path / "daphne.log", **env) as (_, port):
        yield f"http://127.0.0.1:{port}", tmp_path / "daphne.log"


def decide(approver_api: APIClient, asked: ApprovalRequest) -> None:
    """Answer one waiting request as its context's rule says (nothing yet for a slow-accept under 4 s)."""
    approval = asked.approval
    rule = asked.context.split(":")[1]
    url = f"/api/hitl/approvals/{approval.pk}"
    if rule == "expire":
        process_due(now=approval.expires_at + timedelta(seconds=1))
        return
    if rule == "slow-accept" and timezone.now() - approval.requested_at < timedelta(seconds=4):
        return
    verb, body = {
        "accept": ("approve", {}),
        "slow-accept": ("approve", {}),
        "edit": ("approve", {"edits": EDITS, "notes": "Half is enough"}),
        "reject": ("reject", {"reason": REASON}),
        "respond": ("respond", {"note": NOTE}),
    }[rule]
    response = approver_api.post(f"{url}/{verb}/", body, format="json")
    assert response.status_code == 200, (rule, response.content[:500])


def test_the_adapters_journeys_pass_against_a_live_walker(walker, tenant, tenant_admin, approver):
    url, daphne_log = walker
    registered(tenant)
    _, secret = integration_tokens.create_token(tenant_admin, name="Journeys agent", scopes=["request"])
    approver_api = APIClient()
    approver_api.force_authenticate(approver)
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "PYTEST_"))},
        "WALKER_URL": url,
        "WALKER_TOKEN": secret,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [str(CLIENTS_PYTHON), "-P", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", JOURNEYS]
    journeys = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + DEADLINE
    try:
        while journeys.poll() is None:
            assert time.monotonic() < deadline, "the journeys took too long"
            waiting = ApprovalRequest.objects.filter(
                tenant=tenant, approval__status=ApprovalStatus.PENDING, context__startswith="journey:"
            ).select_related("approval")
            for asked in waiting:
                decide(approver_api, asked)
            time.sleep(0.2)
    finally:
        if journeys.poll() is None:
            journeys.kill()
        output = journeys.communicate(timeout=30)[0]
    print(output)  # shown with -s or -rP: which journeys ran
    assert journeys.returncode == 0, output[-12000:] + "\n--- daphne ---\n" + daphne_log.read_text()[-4000:]
    assert " passed" in output and "skipped" not in output, output[-3000:]
