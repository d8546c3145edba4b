"""Langflow reaches Walker's read tools through a signed URL passed in the run's tweaks, valid while that run is."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.utils import timezone
from werkzeug import Response

from agents import tool_callback
from agents.engines.base import EngineRequest
from agents.engines.langflow import LangflowEngine
from agents.models import AIAgent, ToolCallAudit, ToolCallbackRun
from tests.factories import CampaignFactory, spend_history

COMPONENT = "WalkerTools-x1Y2z"


@pytest.fixture
def run(tenant, colleague):
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    return EngineRequest(tenant=tenant, user=colleague, agent=agent, conversation_id=str(uuid.uuid4()), text="hi")


@pytest.fixture
def langflow(settings, httpserver):
    settings.LANGFLOW_URL = httpserver.url_for("")
    settings.LANGFLOW_FLOW_ID = "flow-1"
    settings.AGENT_ENGINE_TIMEOUT = 5
    settings.PUBLIC_BASE_URL = "https://walker.example.com"
    flow = {"outputs": [{"outputs": [{"results": {"message": {"text": "Looked it up."}}}]}]}
    httpserver.expect_request("/api/v1/run/flow-1", method="POST").respond_with_json(flow)
    return httpserver


@pytest.fixture
def tools_url(run):
    """The tools URL of a run that stays live for the whole test."""
    with tool_callback.callback_run(run) as url:
        yield url


def _sent(server) -> dict:
    [(request, _)] = server.log
    return request.get_json()


def test_the_flow_gets_who_asks_and_a_signed_tools_url(langflow, settings, run):
    settings.LANGFLOW_TOOLS_COMPONENT = COMPONENT
    assert LangflowEngine().run(run).text == "Looked it up."
    given = _sent(langflow)["tweaks"][COMPONENT]
    assert (given["tenant"], given["agent"], given["conversation_id"]) == (
        "Acme Outdoor",
        "paid_ads",
        run.conversation_id,
    )
    assert given["tools_url"].startswith("https://walker.example.com/agents/tools/")
    names = {tool["name"] for tool in json.loads(given["tools"])}
    assert names == {"campaign_performance", "rank_campaigns", "pending_approvals"}


def test_without_a_tools_component_no_tweaks_are_sent(langflow, run):
    LangflowEngine().run(run)
    assert _sent(langflow)["tweaks"] == {}


def _post(client, url, tool, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(urlsplit(url).path + tool, data, content_type="application/json")


def test_a_signed_url_reads_the_runs_tenant_data_and_is_audited(client, tenant, other_tenant, run, tools_url):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    spend_history(campaign, days=7, spend="100.00")
    CampaignFactory(tenant=other_tenant, name="Rival Launch")
    url = tools_url
    response = _post(client, url, "campaign_performance", {"campaign": "Summer Sale"})
    assert response.status_code == 200
    assert response.json()["campaigns"][0]["period"]["spend"] == "700.00"
    assert ToolCallAudit.objects.get(decision="read").conversation_id == uuid.UUID(run.conversation_id)
    refused = _post(client, url, "campaign_performance", {"campaign": "Rival Launch"})
    assert refused.status_code == 400 and "no campaign named" in refused.json()["detail"]


@pytest.mark.parametrize(
    "tool, body, status, code",
    [
        ("drop_tables", {}, 404, "unknown_tool"),
        ("campaign_performance", "{nope", 400, "bad_json"),
        ("campaign_performance", {"days": "many"}, 400, "refused"),
        ("keyword_moves", {}, 400, "refused"),  # the SEO agent's tool, not Paid Ads'
    ],
)
def test_bad_calls_get_clear_errors(client, tools_url, tool, body, status, code):
    response = _post(client, tools_url, tool, body)
    assert (response.status_code, response.json()["code"]) == (status, code)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("[" * 100_000 + "]" * 100_000, "nest at most"),
        ('{"campaign": "' + "[" * 50 + '"}', None),  # brackets in a string are text, not nesting
        ('{"campaign": "Summer\\u0000Sale"}', "NUL"),
        ('{"campaign\\u0000": "Summer Sale"}', "NUL"),
        ('{"campaign": "\\ud800"}', "surrogate"),
        ('{"days": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_bodies_are_a_clear_400_never_a_500(client, tools_url, body, problem):
    response = _post(client, tools_url, "campaign_performance", body)
    if problem is None:
        assert response.status_code == 400 and response.json()["code"] == "refused"  # read: no such campaign
    else:
        assert (response.status_code, response.json()["code"]) == (400, "bad_json")
        assert problem in response.json()["detail"]


def test_a_forged_url_is_refused(client, tools_url):
    path = urlsplit(tools_url).path
    forged = path.replace("/tools/", "/tools/x")
    response = client.post(forged + "pending_approvals", "{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "bad_signature")
    assert client.get(path + "pending_approvals").status_code == 405


def test_the_url_expires_at_the_engine_timeout_even_if_the_run_never_ends(client, settings, tools_url):
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.AGENT_ENGINE_TIMEOUT - 1)):
        assert _post(client, tools_url, "pending_approvals", {}).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.AGENT_ENGINE_TIMEOUT + 1)):
        response = _post(client, tools_url, "pending_approvals", {})
    assert (response.status_code, response.json()["code"]) == (410, "expired")


def test_the_url_is_refused_once_its_run_has_ended(client, run):
    with tool_callback.callback_run(run) as url:
        assert _post(client, url, "pending_approvals", {}).status_code == 200
    response = _post(client, url, "pending_approvals", {})
    assert (response.status_code, response.json()["code"]) == (410, "run_ended")
    assert "ended" in response.json()["detail"]
    assert not ToolCallbackRun.objects.exists()


def test_a_run_that_fails_ends_its_url_too(client, run):
    with pytest.raises(RuntimeError), tool_callback.callback_run(run) as url:
        raise RuntimeError("the flow broke")
    assert _post(client, url, "pending_approvals", {}).status_code == 410


def test_runs_a_lost_worker_left_behind_go_when_the_next_run_ends(run):
    fields = dict(tenant=run.tenant, agent=run.agent, user=run.user, conversation_id=run.conversation_id)
    ToolCallbackRun.objects.create(**fields, expires_at=timezone.now() - timedelta(seconds=1))  # its worker died
    with tool_callback.callback_run(run):
        assert ToolCallbackRun.objects.count() == 2
    assert not ToolCallbackRun.objects.exists()


def test_the_flow_calls_back_during_its_run_and_not_after(live_db, settings, httpserver, run):
    """End to end: a fake Langflow posts to its tools URL while Walker waits for its answer (another thread and
    database connection, as daphne would), then the same URL is tried once the engine returned."""
    settings.LANGFLOW_URL, settings.LANGFLOW_FLOW_ID = httpserver.url_for(""), "flow-1"
    settings.LANGFLOW_TOOLS_COMPONENT, settings.PUBLIC_BASE_URL = COMPONENT, "https://walker.example.com"
    during = {}

    def flow(request):
        during["url"] = request.get_json()["tweaks"][COMPONENT]["tools_url"]
        try:
            during["status"] = _post(Client(), during["url"], "pending_approvals", {}).status_code
        finally:
            connections.close_all()
        text = {"outputs": [{"outputs": [{"results": {"message": {"text": "Nothing waits."}}}]}]}
        return Response(json.dumps(text), content_type="application/json")

    httpserver.expect_request("/api/v1/run/flow-1", method="POST").respond_with_handler(flow)
    assert LangflowEngine().run(run).text == "Nothing waits."
    assert during["status"] == 200
    after = _post(Client(), during["url"], "pending_approvals", {})
    assert (after.status_code, after.json()["code"]) == (410, "run_ended")
