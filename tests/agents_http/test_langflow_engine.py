"""LangflowEngine against a fake Langflow on 127.0.0.1 (pytest-httpserver)."""

import json
import threading
import time
from decimal import Decimal

import pytest
from werkzeug import Response

from agents.engines.base import EngineError, EngineRequest, HistoryItem
from agents.engines.langflow import LangflowEngine
from agents.models import AIAgent

FLOW_ID = "flow-123"
RUN_PATH = f"/api/v1/run/{FLOW_ID}"
API_KEY = "lf-secret-key"


@pytest.fixture
def langflow(settings, httpserver):
    settings.LANGFLOW_URL = httpserver.url_for("")
    settings.LANGFLOW_FLOW_ID = FLOW_ID
    settings.LANGFLOW_API_KEY = API_KEY
    settings.AGENT_ENGINE_TIMEOUT = 5
    return httpserver


@pytest.fixture
def request_(tenant, colleague):
    return EngineRequest(
        tenant=tenant,
        user=colleague,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        conversation_id="conv-42",
        text="How are my campaigns doing?",
        history=(HistoryItem("user", "hi"), HistoryItem("assistant", "Hello!")),
    )


def _run_response(text):
    return {
        "session_id": "conv-42",
        "outputs": [{"inputs": {"input_value": "..."}, "outputs": [{"results": {"message": {"text": text}}}]}],
    }


def _action(**overrides):
    action = {
        "action_type": "pause_campaign",
        "action_data": {"campaign_id": "5b0c2d4e-0000-4000-8000-000000000001", "campaign_name": "Spring"},
        "summary": "Pause Spring",
        "estimated_cost": 0,
        "estimated_reach": 0,
        "confidence": 0.9,
    }
    action.update(overrides)
    return action


def _wait_until_served(server):
    """The fake server answers one request at a time: let the slow one finish so it stays out of the next test."""
    deadline = time.monotonic() + 5
    while not server.log and time.monotonic() < deadline:
        time.sleep(0.01)


def _run(request):
    return LangflowEngine().run(request)


def test_plain_text_reply_and_what_was_sent(langflow, request_):
    langflow.expect_request(RUN_PATH, method="POST", query_string="stream=false").respond_with_json(
        _run_response("Spend is on track.")
    )
    reply = _run(request_)
    assert reply.text == "Spend is on track."
    assert reply.actions == []
    [(sent, _)] = langflow.log
    assert sent.headers["x-api-key"] == API_KEY
    assert sent.get_json() == {
        "input_value": "How are my campaigns doing?",
        "input_type": "chat",
        "output_type": "chat",
        "session_id": "conv-42",
        "tweaks": {},
    }


def test_no_api_key_header_when_none_is_configured(langflow, request_, settings):
    settings.LANGFLOW_API_KEY = ""
    langflow.expect_request(RUN_PATH, method="POST").respond_with_json(_run_response("ok"))
    _run(request_)
    [(sent, _)] = langflow.log
    assert "x-api-key" not in sent.headers


def test_legacy_outputs_message_shape_is_accepted(langflow, request_):
    body = {"outputs": [{"outputs": [{"outputs": {"message": {"message": "Legacy hello", "type": "text"}}}]}]}
    langflow.expect_request(RUN_PATH).respond_with_json(body)
    assert _run(request_).text == "Legacy hello"


@pytest.mark.parametrize("fenced", [False, True])
def test_json_reply_with_actions(langflow, request_, fenced):
    text = json.dumps({"reply": "Spring is losing money; pause it?", "actions": [_action(estimated_cost=1.5)]})
    if fenced:
        text = f"```json\n{text}\n```"
    langflow.expect_request(RUN_PATH).respond_with_json(_run_response(text))
    reply = _run(request_)
    assert reply.text == "Spring is losing money; pause it?"
    [action] = reply.actions
    assert action.action_type == "pause_campaign"
    assert action.action_data["campaign_name"] == "Spring"
    assert action.estimated_cost == Decimal("1.5")
    assert action.confidence == 0.9


def test_json_reply_without_actions(langflow, request_):
    langflow.expect_request(RUN_PATH).respond_with_json(_run_response('{"reply": "All good."}'))
    reply = _run(request_)
    assert (reply.text, reply.actions) == ("All good.", [])


def test_text_that_is_not_a_json_object_is_the_reply(langflow, request_):
    langflow.expect_request(RUN_PATH).respond_with_json(_run_response("{not json} but a brace"))
    assert _run(request_).text == "{not json} but a brace"


@pytest.mark.slow
def test_timeout(langflow, request_, settings):
    settings.AGENT_ENGINE_TIMEOUT = 1
    released = threading.Event()

    def slow(_request):
        released.wait(2)  # a 2 s sleep, cut short once the test has seen the timeout
        return Response(json.dumps(_run_response("too late")), content_type="application/json")

    langflow.expect_request(RUN_PATH).respond_with_handler(slow)
    with pytest.raises(EngineError, match="Langflow did not answer within 1s"):
        _run(request_)
    released.set()
    _wait_until_served(langflow)


def test_connection_refused(settings, request_):
    settings.LANGFLOW_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.LANGFLOW_FLOW_ID = FLOW_ID
    with pytest.raises(EngineError, match="Could not reach Langflow"):
        _run(request_)


@pytest.mark.parametrize("status", [500, 503, 401, 404])
def test_error_statuses(langflow, request_, status):
    langflow.expect_request(RUN_PATH).respond_with_json({"detail": f"boom {API_KEY}"}, status=status)
    with pytest.raises(EngineError, match=f"Langflow answered HTTP {status}") as error:
        _run(request_)
    assert API_KEY not in str(error.value)


def test_deeply_nested_json_body(langflow, request_):
    langflow.expect_request(RUN_PATH).respond_with_data("[" * 100_000 + "]" * 100_000, content_type="application/json")
    with pytest.raises(EngineError, match="with a body that is not JSON"):
        _run(request_)


def test_non_json_body(langflow, request_):
    langflow.expect_request(RUN_PATH).respond_with_data("<html>oops</html>", content_type="text/html")
    with pytest.raises(EngineError, match="Langflow answered HTTP 200 with a body that is not JSON"):
        _run(request_)


@pytest.mark.parametrize(
    "body, message",
    [
        ([1, 2], "Langflow answered with a JSON list, expected an object"),
        ({"outputs": []}, r"no outputs\[0\]\.outputs\[0\]"),
        ({"detail": "x"}, r"no outputs\[0\]\.outputs\[0\]"),
        (
            {"outputs": [{"outputs": [{"results": {}}]}]},
            r"no text at outputs\[0\]\.outputs\[0\]\.results\.message\.text",
        ),
        ({"outputs": [{"outputs": [{"results": {"message": {"text": 7}}}]}]}, "no text at"),
    ],
)
def test_json_of_the_wrong_shape(langflow, request_, body, message):
    langflow.expect_request(RUN_PATH).respond_with_json(body)
    with pytest.raises(EngineError, match=message):
        _run(request_)


def test_empty_text(langflow, request_):
    langflow.expect_request(RUN_PATH).respond_with_json(_run_response("   "))
    with pytest.raises(EngineError, match="Langflow returned an empty reply"):
        _run(request_)


@pytest.mark.parametrize(
    "structured, message",
    [
        ({"reply": "", "actions": []}, "without a non-empty string at reply"),
        ({"actions": [_action()]}, "without a non-empty string at reply"),
        ({"reply": "ok", "actions": {"a": 1}}, "Langflow actions must be a list, got dict"),
        ({"reply": "ok", "actions": ["pause"]}, r"Langflow actions\[0\] must be an object, got 'pause'"),
        ({"reply": "ok", "actions": [_action(action_type="launch_rocket")]}, r"actions\[0\]: action_type must be"),
        ({"reply": "ok", "actions": [_action(), _action(confidence=2)]}, r"actions\[1\]: confidence must be"),
        ({"reply": "ok", "actions": [_action(summary="")]}, r"actions\[0\]: summary must be"),
        ({"reply": "ok", "actions": [{"action_type": "pause_campaign"}]}, r"actions\[0\]: action_data is missing"),
        ({"reply": "ok", "actions": [_action(action_data={"campaign_id": "x\x00"})]}, r"actions\[0\]: .* NUL"),
        ({"reply": "ok", "actions": [_action(summary="Pause \ud800")]}, r"actions\[0\]: .* surrogate"),
    ],
)
def test_malformed_structured_replies(langflow, request_, structured, message):
    langflow.expect_request(RUN_PATH).respond_with_json(_run_response(json.dumps(structured)))
    with pytest.raises(EngineError, match=message):
        _run(request_)
