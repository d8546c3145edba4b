"""Refusals at `/mcp/` in plain words: a missing or wrong token (401), one without the request scope (403), and the
tools' refusals as MCP tool errors (`isError`) with the approval-request API's codes, never a stack trace. Another
tenant's request is not found."""

import httpx2
import pytest

from config.asgi import application
from hitl.mcp.tools import in_db
from tests.action_types.conftest import registered
from tests.mcp.conftest import IN_PROCESS, asked, connected, http_client, secret_of

pytestmark = pytest.mark.asyncio
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}},
}


async def posted(secret, url=IN_PROCESS):
    """A bare MCP request with `secret` as its bearer token (None: no Authorization header)."""
    async with http_client(secret, transport=httpx2.ASGITransport(app=application)) as http:
        headers = {"Accept": "application/json, text/event-stream"}
        return await http.post(url, json=INITIALIZE, headers=headers)


async def refusal(client, tool, arguments) -> dict:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result
    assert "Traceback" not in result.content[0].text
    return result.structured_content


async def test_a_host_walker_does_not_serve_is_a_400_before_the_token_is_read(live_db):
    answer = await posted("anything", url="http://walker.attacker.test/mcp/")
    assert answer.status_code == 400 and answer.json()["code"] == "bad_host"


async def test_no_token_and_a_wrong_one_are_401_saying_what_to_send(live_db):
    missing = await posted(None)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == 'Bearer realm="walker"'
    assert missing.json() == {
        "code": "unauthorized",
        "detail": "Send an integration token with the request scope, as `Authorization: Bearer <secret>`.",
    }
    wrong = await posted("wk_" + "x" * 43)
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert wrong.json() == {"code": "token_not_valid", "detail": "This integration token is not valid."}


async def test_a_token_without_the_request_scope_is_403(live_db, tenant_admin):
    reader = await in_db(secret_of, tenant_admin, ("read",))
    refused = await posted(reader)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_missing" and '"request" scope' in refused.json()["detail"]


async def test_calls_past_the_tokens_rate_are_429_the_apis_rate_shared(secret, settings):
    settings.APPROVAL_REQUESTS_RATE = "2/minute"
    assert (await posted(secret)).status_code == 200
    assert (await posted(secret, url="http://testserver/mcp")).status_code == 200  # the path without its slash
    throttled = await posted(secret)
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled.headers["retry-after"]) > 0


async def test_an_unknown_action_and_invalid_args_are_tool_errors_naming_the_field(secret):
    async with connected(secret) as client:
        unknown = await refusal(client, "request_approval", asked(action="launch_rocket"))
        assert unknown["code"] == "unknown_action_type" and unknown["field"] == "action"
        assert "no action type “launch_rocket”" in unknown["detail"]
        invalid = await refusal(client, "request_approval", asked(args={"campaign": "Summer Sale"}))
        assert invalid["code"] == "invalid_args" and invalid["field"] == "args"
        own = await refusal(client, "request_approval", asked(action="set_budget"))
        assert own["code"] == "builtin_action_type"


async def test_arguments_of_the_wrong_shape_are_tool_errors_too(secret):
    async with connected(secret) as client:
        not_an_id = await refusal(client, "check_approval", {"id": "not-an-id"})
        assert not_an_id["code"] == "invalid" and not_an_id["field"] == "id"
        waits = await refusal(client, "request_approval", asked(wait_seconds=31))
        assert waits["field"] == "wait_seconds" and "30" in waits["detail"]
        result = await client.call_tool("request_approval", asked(expires_in=10))
        assert result.content[0].text == "Refused (out_of_range): expires_in: From 300 to 2592000 seconds."


async def test_another_tenants_request_is_not_found(secret, outsider, other_tenant):
    await in_db(registered, other_tenant)
    theirs = await in_db(secret_of, outsider, ("request",), "Globex agent")
    async with connected(theirs) as client:
        filed = (await client.call_tool("request_approval", asked())).structured_content
    async with connected(secret) as client:
        for tool, arguments in [
            ("check_approval", {"id": filed["id"], "wait_seconds": 0}),
            ("report_result", {"id": filed["id"], "outcome": "succeeded", "detail": "Done."}),
        ]:
            missing = await refusal(client, tool, arguments)
            assert missing["code"] == "not_found" and filed["id"] in missing["detail"]


async def test_a_report_on_a_request_not_approved_is_refused(secret, tenant_admin):
    async with connected(secret) as client:
        filed = (await client.call_tool("request_approval", asked())).structured_content
        report = {"id": filed["id"], "outcome": "succeeded", "detail": "Done."}
        waiting = await refusal(client, "report_result", report)
        assert waiting["code"] == "not_approved" and "pending" in waiting["detail"]
    colleague = await in_db(secret_of, tenant_admin, ("request",), "Another agent")
    async with connected(colleague) as client:
        other = await refusal(client, "report_result", report)
        assert other["code"] == "forbidden"
