"""OpenAIEngine against a fake OpenAI-compatible server on 127.0.0.1 (pytest-httpserver)."""

import json
import threading
import time
from decimal import Decimal

import pytest
from werkzeug import Response

from agents.engines.base import EngineError, EngineRequest, HistoryItem
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent

COMPLETIONS = "/v1/chat/completions"
API_KEY = "sk-test-secret"


@pytest.fixture
def fake_openai(settings, httpserver):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_MODEL = "walker-test-model"
    settings.AGENT_ENGINE_TIMEOUT = 5
    return httpserver


@pytest.fixture
def request_(tenant, colleague):
    return EngineRequest(
        tenant=tenant,
        user=colleague,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        conversation_id="conv-42",
        text="Pause Spring please",
        history=(HistoryItem("user", "How is Spring doing?"), HistoryItem("assistant", "It lost 200 EUR.")),
    )


def _completion(content=None, tool_calls=None):
    message = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "walker-test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
    }


def _tool_call(name="pause_campaign", arguments=None, **overrides):
    if arguments is None:
        arguments = {
            "action_data": {"campaign_id": "5b0c2d4e-0000-4000-8000-000000000001", "campaign_name": "Spring"},
            "summary": "Pause Spring",
            "estimated_cost": 0,
            "estimated_reach": 1200,
            "confidence": 0.85,
        }
        arguments.update(overrides)
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    return {"id": f"call_{name}", "type": "function", "function": {"name": name, "arguments": arguments}}


def _wait_until_served(server):
    """The fake server answers one request at a time: let the slow one finish so it stays out of the next test."""
    deadline = time.monotonic() + 5
    while not server.log and time.monotonic() < deadline:
        time.sleep(0.01)


def _run(request):
    return OpenAIEngine().run(request)


def test_plain_text_reply_and_what_was_sent(fake_openai, request_):
    fake_openai.expect_request(COMPLETIONS, method="POST").respond_with_json(_completion("Spring is paused? Not yet."))
    reply = _run(request_)
    assert reply.text == "Spring is paused? Not yet."
    assert reply.actions == []

    [(sent, _)] = fake_openai.log
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    body = sent.get_json()
    assert body["model"] == "walker-test-model"
    system, *rest = body["messages"]
    assert system["role"] == "system"
    for expected in ("Walker Paid Ads", "Paid Ads", "Acme Outdoor", "tools"):
        assert expected in system["content"]
    assert rest == [
        {"role": "user", "content": "How is Spring doing?"},
        {"role": "assistant", "content": "It lost 200 EUR."},
        {"role": "user", "content": "Pause Spring please"},
    ]


def test_only_the_agents_action_types_and_read_tools_are_offered(fake_openai, request_):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion("ok"))
    _run(request_)
    tools = fake_openai.log[0][0].get_json()["tools"]
    assert {tool["function"]["name"] for tool in tools} == {
        *("set_budget", "pause_campaign", "resume_campaign"),  # its proposals
        *("campaign_performance", "rank_campaigns", "pending_approvals"),  # its read tools
    }
    set_budget = next(tool["function"] for tool in tools if tool["function"]["name"] == "set_budget")
    parameters = set_budget["parameters"]
    assert set(parameters["required"]) == {
        "action_data",
        "summary",
        "estimated_cost",
        "estimated_reach",
        "confidence",
    }
    assert set(parameters["properties"]["action_data"]["properties"]) == {
        "campaign_id",
        "campaign_name",
        "daily_budget",
        "previous_daily_budget",
    }


def test_tool_calls_become_proposed_actions(fake_openai, request_):
    calls = [_tool_call(), _tool_call("resume_campaign", summary="Resume Autumn", estimated_cost=12.5)]
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion("Here is the plan.", calls))
    reply = _run(request_)
    assert reply.text == "Here is the plan."
    pause, resume = reply.actions
    assert (pause.action_type, pause.summary, pause.estimated_reach, pause.confidence) == (
        "pause_campaign",
        "Pause Spring",
        1200,
        0.85,
    )
    assert pause.action_data["campaign_name"] == "Spring"
    assert (resume.action_type, resume.estimated_cost) == ("resume_campaign", Decimal("12.5"))


def test_tool_calls_without_text_list_the_summaries(fake_openai, request_):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion(None, [_tool_call()]))
    reply = _run(request_)
    assert reply.text == "For your approval:\n• Pause Spring"
    assert len(reply.actions) == 1


@pytest.mark.slow
def test_timeout(fake_openai, request_, settings):
    settings.AGENT_ENGINE_TIMEOUT = 1
    released = threading.Event()

    def slow(_request):
        released.wait(2)  # a 2 s sleep, cut short once the test has seen the timeout
        return Response(json.dumps(_completion("too late")), content_type="application/json")

    fake_openai.expect_request(COMPLETIONS).respond_with_handler(slow)
    with pytest.raises(EngineError, match="OpenAI did not answer within 1s"):
        _run(request_)
    released.set()
    _wait_until_served(fake_openai)
    assert len(fake_openai.log) == 1  # max_retries=0: no second attempt


def test_connection_refused(settings, request_):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_MODEL = "walker-test-model"
    with pytest.raises(EngineError, match="Could not reach OpenAI"):
        _run(request_)


@pytest.mark.parametrize("status", [500, 503, 401, 429])
def test_error_statuses(fake_openai, request_, status):
    error = {"error": {"message": f"Incorrect API key provided: {API_KEY}", "type": "x"}}
    fake_openai.expect_request(COMPLETIONS).respond_with_json(error, status=status)
    with pytest.raises(EngineError, match=f"OpenAI answered HTTP {status}") as raised:
        _run(request_)
    assert API_KEY not in str(raised.value)
    assert len(fake_openai.log) == 1  # no retries


@pytest.mark.parametrize("content_type", ["text/html", "application/json"])
def test_non_json_body(fake_openai, request_, content_type):
    fake_openai.expect_request(COMPLETIONS).respond_with_data("<html>gateway</html>", content_type=content_type)
    with pytest.raises(EngineError, match="OpenAI answered with a body that is not JSON"):
        _run(request_)


@pytest.mark.parametrize(
    "body, message",
    [
        ([1, 2], r"no choices\[0\]\.message"),
        ({"choices": []}, r"no choices\[0\]\.message"),
        ({"choices": [{"message": None}]}, r"no choices\[0\]\.message"),
        ({"object": "chat.completion"}, r"no choices\[0\]\.message"),
        ({"choices": [{"message": {"content": ["a"]}}]}, "non-string content or non-list tool_calls"),
    ],
)
def test_json_of_the_wrong_shape(fake_openai, request_, body, message):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(body)
    with pytest.raises(EngineError, match=message):
        _run(request_)


@pytest.mark.parametrize("content", [None, "", "   "])
def test_empty_answer(fake_openai, request_, content):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion(content, []))
    with pytest.raises(EngineError, match="OpenAI returned an empty answer"):
        _run(request_)


@pytest.mark.parametrize(
    "call, message",
    [
        (_tool_call(arguments="{not json"), "OpenAI tool call pause_campaign: arguments are not valid JSON"),
        (_tool_call(arguments="[1, 2]"), "OpenAI tool call pause_campaign must be an object, got list"),
        (_tool_call(confidence=3), "OpenAI tool call pause_campaign: confidence must be a number between 0 and 1"),
        (_tool_call(summary=""), "OpenAI tool call pause_campaign: summary must be a non-empty string"),
        (_tool_call(estimated_reach=-1), "OpenAI tool call pause_campaign: estimated_reach must be an integer >= 0"),
        (_tool_call(action_data="Spring"), "OpenAI tool call pause_campaign: action_data must be an object"),
        ({"id": "c1", "type": "custom", "custom": {"name": "x"}}, "not a function call"),
    ],
)
def test_malformed_tool_calls(fake_openai, request_, call, message):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion(None, [call]))
    with pytest.raises(EngineError, match=message):
        _run(request_)


def test_missing_tool_argument(fake_openai, request_):
    arguments = json.loads(_tool_call()["function"]["arguments"])
    del arguments["estimated_cost"]
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion(None, [_tool_call(arguments=arguments)]))
    with pytest.raises(EngineError, match="OpenAI tool call pause_campaign: estimated_cost is missing"):
        _run(request_)


@pytest.mark.parametrize("name", ["add_target_keyword", "delete_account"])
def test_a_tool_the_agent_may_not_use(fake_openai, request_, name):
    fake_openai.expect_request(COMPLETIONS).respond_with_json(_completion("ok", [_tool_call(name)]))
    with pytest.raises(EngineError, match=f"OpenAI called tool '{name}', which the paid_ads agent may not use"):
        _run(request_)
