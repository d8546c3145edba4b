"""The MCP protocol at `/mcp/` (config/asgi.py): the SDK's low-level server over streamable HTTP, behind an
integration token.

Every HTTP request carries `Authorization: Bearer <secret>` of a token with the `request` scope, checked before the
SDK reads the body (401 or 403 with a `code` and a `detail` otherwise, as the API answers), and counted against the
same per-token rate as `/api/v1/approval-requests/`. The transport is stateless and answers JSON: no MCP session
lives in a process, so any daphne behind the load balancer serves any call, and each request's token, not a session
made by an earlier one, is who calls the tools. The session manager is the SDK's, made and run for each request:
daphne runs no ASGI lifespan in which one could be started for the process.
"""

import json
from types import SimpleNamespace

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server import Server, ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.types import (
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
    ToolAnnotations,
)
from pydantic import ValidationError

from core.errors import WalkerError, http_status
from core.throttling import CredentialRateThrottle
from hitl.approval_requests_api import MAX_BODY_BYTES
from hitl.mcp.tools import TOOLS, Reply, in_db
from hitl.services.outside import Refused
from tenants.identity import integration_tokens
from tenants.identity.token_scopes import Scope

INSTRUCTIONS = (
    "Walker asks people for approval of what an agent wants to do. Before an action that needs approval, call "
    "request_approval; act only on an accept or edit decision, and only with decision.args; then report_result. "
    "list_action_types says which actions the tenant registered and their args."
)
RATE_SETTING = "APPROVAL_REQUESTS_RATE"  # the approval-request API's rate per token: one budget for both doors


async def list_tools(ctx: ServerRequestContext, params: PaginatedRequestParams | None) -> ListToolsResult:
    return ListToolsResult(
        tools=[
            Tool(
                name=tool.name,
                description=tool.description,
                input_schema=tool.arguments.model_json_schema(),
                annotations=ToolAnnotations(read_only_hint=tool.read_only, destructive_hint=False),
            )
            for tool in TOOLS.values()
        ]
    )


async def call_tool(ctx: ServerRequestContext, params: CallToolRequestParams) -> CallToolResult:
    """Run the tool for the request's token. A refusal is the tool's error in plain words (`is_error`), which the
    model reads and may correct: never a protocol error or a stack trace."""
    tool = TOOLS.get(params.name)
    if tool is None:
        return _refused(Refused("unknown_tool", f"Walker has no tool “{params.name}”: {', '.join(TOOLS)}."))
    try:
        given = tool.arguments.model_validate(params.arguments or {})
        reply: Reply = await tool.run(ctx.request.auth, given)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        return _refused(Refused("invalid", first["msg"], field))
    except Refused as refused:
        return _refused(refused)
    return CallToolResult(content=[TextContent(type="text", text=reply.text)], structured_content=reply.data)


def _refused(refused: Refused) -> CallToolResult:
    where = f"{refused.field}: " if refused.field else ""
    data = {"code": refused.code, "detail": refused.detail, "field": refused.field}
    return CallToolResult(
        content=[TextContent(type="text", text=f"Refused ({refused.code}): {where}{refused.detail}")],
        structured_content=data,
        is_error=True,
    )


server = Server(
    "walker",
    title="Walker approvals",
    instructions=INSTRUCTIONS,
    on_list_tools=list_tools,
    on_call_tool=call_tool,
)


async def application(scope, receive, send):
    """The ASGI application `/mcp/` is routed to. Django's host check first, as for every other path: the SDK's own
    DNS-rebinding check would need the hosts a second time, in its own form."""
    if not _host_allowed(scope):
        await _answer(send, 400, "bad_host", "The Host header names a host this Walker does not serve.", [])
        return
    token, refusal = await in_db(_caller, _bearer(scope))
    if refusal is not None:
        await _answer(send, *refusal)
        return
    manager = StreamableHTTPSessionManager(
        app=server, json_response=True, stateless=True, max_request_body_size=MAX_BODY_BYTES
    )
    async with manager.run():
        await manager.handle_request({**scope, "auth": token}, receive, send)


def _caller(secret: str | None) -> tuple[object, tuple | None]:
    """(the live token with the `request` scope, None), or (None, the refusal: status, code, detail, headers)."""
    challenge = 'Bearer realm="walker"'
    if not secret:
        detail = "Send an integration token with the request scope, as `Authorization: Bearer <secret>`."
        return None, (401, "unauthorized", detail, [(b"www-authenticate", challenge.encode())])
    try:
        token = integration_tokens.authenticate(secret)
    except WalkerError as refused:
        invalid = f'{challenge}, error="invalid_token", error_description="{refused.detail}"'
        return None, (
            http_status(refused.code),
            refused.code,
            refused.detail,
            [(b"www-authenticate", invalid.encode())],
        )
    if Scope.REQUEST not in token.scopes:
        detail = f'This integration token lacks the "{Scope.REQUEST}" scope: MCP tools ask for approval with it.'
        return None, (403, "scope_missing", detail, [])
    throttle = CredentialRateThrottle()
    if not throttle.allow_request(SimpleNamespace(auth=token), SimpleNamespace(throttle_rate_setting=RATE_SETTING)):
        wait = max(int(throttle.wait() or 0), 1)
        detail = f"Too many calls with this token ({RATE_SETTING}): try again in {wait} seconds."
        return None, (429, "throttled", detail, [(b"retry-after", str(wait).encode())])
    return token, None


def _host_allowed(scope) -> bool:
    host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _bearer(scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            return secret.strip() if scheme.lower() == "bearer" else None
    return None


async def _answer(send, status: int, code: str, detail: str, headers: list) -> None:
    body = json.dumps({"code": code, "detail": detail}).encode()
    start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
