"""The OpenAI-compatible engine's tool loop against a scripted fake server on 127.0.0.1.

Read tools run at once through the gateway and their results go back to the model; proposals become
actions for approval; bad arguments, unknown tools, and the step and time limits are handled.
"""

import json
import time
import uuid
from decimal import Decimal

import pytest
from werkzeug import Response

from agents.engines.base import EngineError, EngineRequest
from agents.engines.openai_engine import MAX_STEPS, OpenAIEngine
from agents.models import AIAgent, Campaign, ToolCallAudit
from tests.factories import CampaignFactory, KeywordRankingFactory, spend_history


class ScriptedModel:
    """Answers each completion with the next scripted message; remembers what it was sent."""

    def __init__(self, server, *answers, delay=0.0):
        self.answers, self.sent, self.delay = list(answers), [], delay
        server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(self._answer)

    def _answer(self, request):
        self.sent.append(request.get_json())
        time.sleep(self.delay)
        message = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        body = {"choices": [{"index": 0, "message": {"role": "assistant", **message}}]}
        return Response(json.dumps(body), content_type="application/json")


def call(name, arguments, call_id="call_1"):
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}


def uses(*calls, content=None):
    return {"content": content, "tool_calls": list(calls)}


@pytest.fixture
def openai_at(settings, httpserver):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_API_KEY = "sk-test"
    settings.AGENT_ENGINE_TIMEOUT = 10
    return lambda *answers, delay=0.0: ScriptedModel(httpserver, *answers, delay=delay)


@pytest.fixture
def summer(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    spend_history(campaign, days=14, spend="100.00")  # 40 conversions and $1,900 revenue a day
    return campaign


def ask(tenant, user, agent_type="paid_ads", text="How is my Summer Sale campaign doing?"):
    agent = AIAgent.objects.get(is_system_agent=True, agent_type=agent_type)
    request = EngineRequest(tenant=tenant, user=user, agent=agent, conversation_id=str(uuid.uuid4()), text=text)
    return OpenAIEngine().run(request)


def tool_results(sent_body) -> list[dict]:
    return [json.loads(m["content"]) for m in sent_body["messages"] if m["role"] == "tool"]


def test_a_read_then_a_proposal(openai_at, tenant, colleague, summer):
    raise_it = {
        "action_data": {
            "campaign_id": str(summer.pk),
            "campaign_name": "Summer Sale",
            "daily_budget": "600.00",
            "previous_daily_budget": "500.00",
        },
        "summary": "Raise Summer Sale daily budget to $600.00",
        "estimated_cost": 3000,
        "estimated_reach": 5000,
        "confidence": 0.9,
    }
    model = openai_at(
        uses(call("campaign_performance", {"campaign": "summer sale", "days": 7})),
        uses(call("set_budget", raise_it, "call_2"), content="Spend $700, CPA $2.50, ROAS 19. I propose +$100/day."),
    )
    reply = ask(tenant, colleague)
    assert reply.text.startswith("Spend $700") and [a.action_type for a in reply.actions] == ["set_budget"]
    [result] = tool_results(model.sent[1])
    [row] = result["campaigns"]
    assert (row["name"], row["campaign_id"], row["daily_budget"]) == ("Summer Sale", str(summer.pk), "500.00")
    assert (row["period"]["spend"], row["period"]["cpa"], row["period"]["roas"]) == ("700.00", "2.50", "19.00")
    assert row["previous_period"]["spend"] == "700.00"
    assert model.sent[1]["messages"][-2]["tool_calls"][0]["id"] == "call_1"  # the model's own call, then its result
    audit = ToolCallAudit.objects.get(decision="read")
    assert (audit.action_type, audit.action_data) == ("campaign_performance", {"campaign": "summer sale", "days": 7})
    assert Campaign.objects.get(pk=summer.pk).daily_budget == Decimal("500.00")  # proposed, never executed


def test_a_ranking_read_tool_answers_from_the_rows(openai_at, tenant, colleague, summer):
    costly = CampaignFactory(tenant=tenant, name="Winter Boots")
    spend_history(costly, days=7, spend="400.00")  # same conversions: CPA $10
    model = openai_at(uses(call("rank_campaigns", {"metric": "cpa", "order": "worst"})), {"content": "Winter."})
    ask(tenant, colleague, text="which campaign has the worst CPA?")
    [result] = tool_results(model.sent[1])
    assert [c["name"] for c in result["campaigns"]] == ["Winter Boots", "Summer Sale"]
    assert result["campaigns"][0]["cpa"] == "10.00"


def test_bad_arguments_go_back_to_the_model_as_an_error(openai_at, tenant, colleague, summer):
    model = openai_at(
        uses(call("campaign_performance", {"days": 500}), call("campaign_performance", "{not json", "call_2")),
        {"content": "Sorry, I could not read that."},
    )
    assert ask(tenant, colleague).text == "Sorry, I could not read that."
    errors = [r["error"] for r in tool_results(model.sent[1])]
    assert "500 is greater than the maximum of 90" in errors[0] and "not valid JSON" in errors[1]
    assert ToolCallAudit.objects.filter(decision="read_refused").count() == 1


def test_another_tenants_campaign_is_not_found(openai_at, tenant, other_tenant, colleague, summer):
    CampaignFactory(tenant=other_tenant, name="Rival Launch")
    model = openai_at(uses(call("campaign_performance", {"campaign": "Rival Launch"})), {"content": "Not found."})
    ask(tenant, colleague)
    [result] = tool_results(model.sent[1])
    assert "no campaign named 'Rival Launch'" in result["error"] and "Summer Sale" in result["error"]


def test_reads_are_rate_limited_per_conversation(openai_at, settings, tenant, colleague, summer):
    settings.GATEWAY_MAX_READS_PER_HOUR = 1
    calls = [call("campaign_performance", {}, "call_1"), call("campaign_performance", {}, "call_2")]
    model = openai_at(uses(*calls), {"content": "ok"})
    ask(tenant, colleague)
    first, second = tool_results(model.sent[1])
    assert "campaigns" in first and "limit of 1 look-ups an hour" in second["error"]


def test_an_agent_cannot_use_another_agents_read_tool(openai_at, tenant, colleague, summer):
    openai_at(uses(call("campaign_performance", {})))
    with pytest.raises(EngineError, match="may not use"):
        ask(tenant, colleague, agent_type="seo", text="how are my campaigns?")


@pytest.mark.parametrize("name", ["execute_set_budget", "apply_action", "drop_table"])
def test_a_model_that_tries_to_execute_or_call_an_unknown_tool_gets_nothing(openai_at, tenant, colleague, summer, name):
    openai_at(uses(call(name, {"campaign_id": str(summer.pk), "daily_budget": "9999"})))
    with pytest.raises(EngineError, match="may not use"):
        ask(tenant, colleague)
    assert Campaign.objects.get(pk=summer.pk).daily_budget == Decimal("500.00")


def test_the_loop_stops_after_its_step_limit(openai_at, tenant, colleague, summer):
    model = openai_at(uses(call("pending_approvals", {})))  # reads for ever
    with pytest.raises(EngineError, match=f"within {MAX_STEPS} steps"):
        ask(tenant, colleague)
    assert len(model.sent) == MAX_STEPS


@pytest.mark.slow
def test_the_loop_stops_at_its_time_budget(openai_at, settings, tenant, colleague, summer):
    settings.AGENT_ENGINE_TIMEOUT = 1
    model = openai_at(uses(call("keyword_moves", {})), delay=0.45)
    started = time.monotonic()
    with pytest.raises(EngineError):
        ask(tenant, colleague, agent_type="seo", text="which keywords moved?")
    assert time.monotonic() - started < 2 and len(model.sent) < MAX_STEPS


def test_the_seo_agent_reads_keyword_moves(openai_at, tenant, colleague):
    KeywordRankingFactory(tenant=tenant, keyword="hiking boots", position=3, previous_position=9)
    KeywordRankingFactory(tenant=tenant, keyword="tent sale", position=12, previous_position=4)
    model = openai_at(uses(call("keyword_moves", {"days": 7})), {"content": "Up and down."})
    ask(tenant, colleague, agent_type="seo", text="which keywords moved?")
    [result] = tool_results(model.sent[1])
    assert [(m["keyword"], m["change"]) for m in result["gained"]] == [("hiking boots", 6)]
    assert [(m["keyword"], m["change"]) for m in result["lost"]] == [("tent sale", -8)]


@pytest.mark.parametrize(
    "arguments, problem",
    [
        ("[" * 100_000 + "]" * 100_000, "nest at most"),
        ('{"campaign": "Summer\\u0000Sale"}', "NUL"),
        ('{"days": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_read_arguments_go_back_to_the_model_as_an_error(
    openai_at, tenant, colleague, summer, arguments, problem
):
    model = openai_at(uses(call("campaign_performance", arguments)), {"content": "Sorry."})
    assert ask(tenant, colleague).text == "Sorry."
    [result] = tool_results(model.sent[1])
    assert result["error"].startswith("the arguments are unreadable") and problem in result["error"]
    assert not ToolCallAudit.objects.exists()  # refused before the gateway: nothing unstorable reaches the audit


@pytest.mark.parametrize(
    "action_data, problem",
    [('{"campaign_id": "x\\u0000"}', "NUL"), ("[" * 100_000 + "]" * 100_000, "nest at most")],
)
def test_unreadable_proposal_arguments_are_an_engine_error(openai_at, tenant, colleague, summer, action_data, problem):
    arguments = '{"summary": "Pause", "estimated_cost": 0, "estimated_reach": 0, "confidence": 1, "action_data": '
    openai_at(uses(call("pause_campaign", arguments + action_data + "}")))
    with pytest.raises(EngineError, match=problem):
        ask(tenant, colleague)
