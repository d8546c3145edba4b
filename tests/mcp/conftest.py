"""An MCP client (the SDK's own) talking to Walker's `/mcp/` over streamable HTTP: in-process through the ASGI
application, or to a live daphne. The agent's token and its tenant's budget type are tests/approval_requests'."""

import contextlib

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from config.asgi import application
from tenants.identity import integration_tokens
from tests.action_types.conftest import registered

IN_PROCESS = "http://testserver/mcp/"
ARGS = {"campaign": "Summer Sale", "amount": "700.00", "audience": 12000}


def asked(**changes) -> dict:
    """request_approval's arguments for a budget change; no wait unless a test says."""
    return {
        "action": "update_budget",
        "args": dict(ARGS),
        "description": "Raise Summer Sale to 700 a day: it sold out yesterday by noon.",
        "wait_seconds": 0,
        **changes,
    }


def secret_of(owner, scopes=("request",), name="MCP budget agent") -> str:
    return integration_tokens.create_token(owner, name=name, scopes=list(scopes))[1]


def http_client(secret: str | None, **options) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return httpx2.AsyncClient(headers=headers, **options)


@contextlib.asynccontextmanager
async def connected(secret: str, url: str = IN_PROCESS):
    """The SDK's client on `url` with the token; in-process unless `url` is a live server's."""
    options = {"transport": httpx2.ASGITransport(app=application)} if url == IN_PROCESS else {}
    async with http_client(secret, **options) as http, Client(streamable_http_client(url, http_client=http)) as client:
        yield client


@pytest.fixture
def budget_type(tenant):
    return registered(tenant)


@pytest.fixture
def secret(live_db, tenant_admin, budget_type, approver) -> str:
    """A request-scoped token of the tenant admin, for the agent; committed, for the server's own threads."""
    return secret_of(tenant_admin)
