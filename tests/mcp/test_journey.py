"""An agent's whole journey through MCP against a real daphne (`daphne config.asgi:application`), with the SDK's own
client over streamable HTTP: it lists the tenant's action types, asks for approval (still waiting), waits with
check_approval while an approver approves with an edit through the API, reads the edited args and their digest,
and reports the outcome."""

import asyncio

import pytest
from django.db import connection
from rest_framework.test import APIClient

from hitl.mcp.tools import in_db
from hitl.models import HITLApproval
from hitl.services.outside import args_sha256
from tests.daphne import running_daphne
from tests.mcp.conftest import ARGS, asked, connected
from tests.workers import process_database_url

pytestmark = [pytest.mark.slow, pytest.mark.processes]
EDITED = {**ARGS, "amount": "500.00"}


def database_url() -> str:
    """The test database, for daphne: PostgreSQL's, or the SQLite file's (WAL mode lets both processes write)."""
    if connection.vendor == "postgresql":
        return process_database_url()
    return f"sqlite:///{connection.settings_dict['NAME']}"


def approve_with_an_edit(approver, approval_id) -> None:
    api = APIClient()
    api.force_authenticate(approver)
    edits = {"edits": {"action_data": {"amount": EDITED["amount"]}}}
    response = api.post(f"/api/hitl/approvals/{approval_id}/approve/", edits, format="json")
    assert response.status_code == 200, response.content[:300]


async def journey(url, secret, approver) -> dict:
    async with connected(secret, url) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert tools == {"request_approval", "check_approval", "report_result", "list_action_types"}
        [kind] = (await client.call_tool("list_action_types", {})).structured_content["action_types"]
        assert (kind["key"], kind["editable_fields"], kind["runs_by"]) == ("update_budget", ["amount"], "agent")
        assert kind["default_expiry_seconds"] == 24 * 3600 and kind["args_schema"]["required"] == ["campaign", "amount"]

        filed = await client.call_tool("request_approval", asked(wait_seconds=1))
        pending = filed.structured_content
        assert (pending["status"], pending["decision"]) == ("pending", None)
        assert f"call check_approval with id {pending['id']}" in filed.content[0].text

        waiting = asyncio.create_task(client.call_tool("check_approval", {"id": pending["id"], "wait_seconds": 20}))
        await asyncio.sleep(0.5)
        await in_db(approve_with_an_edit, approver, pending["id"])
        checked = await waiting
        done = {"id": pending["id"], "outcome": "succeeded", "detail": "Summer Sale is at 500 a day in Google Ads."}
        reported = await client.call_tool("report_result", done)
        return {"checked": checked, "reported": reported, "pending": pending}


def test_an_agent_asks_waits_reads_an_edit_and_reports_through_mcp_on_daphne(tmp_path, secret, approver):
    (tmp_path / "var").mkdir()
    env = {"DATABASE_URL": database_url(), "WALKER_VAR_DIR": str(tmp_path / "var")}
    with running_daphne(tmp_path / "daphne.log", **env) as (_, port):
        seen = asyncio.run(journey(f"http://127.0.0.1:{port}/mcp/", secret, approver))

    checked = seen["checked"]
    assert not checked.is_error, checked.content[0].text
    decision = checked.structured_content["decision"]
    assert decision["type"] == "edit" and decision["args"] == EDITED
    assert decision["args_sha256"] == args_sha256(EDITED) != seen["pending"]["args_sha256"]
    assert "Act only with decision.args" in checked.content[0].text
    reported = seen["reported"].structured_content
    assert reported["result"]["outcome"] == "succeeded" and reported["status"] == "executed"
    approval = HITLApproval.objects.get(pk=seen["pending"]["id"])
    assert (approval.status, approval.execution_status, approval.action_data) == ("executed", "succeeded", EDITED)
