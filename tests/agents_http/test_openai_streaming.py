"""Answers shown as they are written: the OpenAI engine streams (SSE from a fake server on 127.0.0.1)."""

import json
import uuid
from decimal import Decimal

from werkzeug import Response

from agents.engines.base import EngineRequest
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent
from tests.factories import CampaignFactory, spend_history


def sse(*deltas) -> Response:
    """A streamed completion: one chunk per delta, then [DONE]."""
    chunks = [
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": d}],
        }
        for d in deltas
    ]
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return Response(body, content_type="text/event-stream")


def request_for(tenant, user, pieces):
    return EngineRequest(
        tenant=tenant,
        user=user,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        conversation_id=str(uuid.uuid4()),
        text="How is Summer Sale doing?",
        on_delta=pieces.append,
    )


def test_the_text_is_passed_on_as_it_comes_and_the_reply_is_whole(settings, httpserver, tenant, colleague):
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = httpserver.url_for("/v1"), "sk-test"
    httpserver.expect_request("/v1/chat/completions").respond_with_response(
        sse({"role": "assistant", "content": "Summer Sale "}, {"content": "spent $700 "}, {"content": "last week."})
    )
    pieces = []
    reply = OpenAIEngine().run(request_for(tenant, colleague, pieces))
    assert pieces == ["Summer Sale ", "spent $700 ", "last week."]
    assert reply.text == "Summer Sale spent $700 last week."
    assert httpserver.log[0][0].get_json()["stream"] is True


def test_a_tool_call_streamed_in_pieces_is_put_together_and_run(settings, httpserver, tenant, colleague):
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = httpserver.url_for("/v1"), "sk-test"
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    spend_history(campaign, days=7, spend="100.00")
    first = {"index": 0, "id": "call_9", "type": "function", "function": {"name": "campaign_", "arguments": '{"camp'}}
    rest = {"index": 0, "function": {"name": "performance", "arguments": 'aign": "Summer Sale"}'}}
    answers = iter(
        [sse({"role": "assistant", "tool_calls": [first]}, {"tool_calls": [rest]}), sse({"content": "Done."})]
    )
    httpserver.expect_request("/v1/chat/completions").respond_with_handler(lambda request: next(answers))
    pieces = []
    assert OpenAIEngine().run(request_for(tenant, colleague, pieces)).text == "Done."
    second = httpserver.log[1][0].get_json()["messages"]
    assert second[-2]["tool_calls"][0] == {
        "id": "call_9",
        "type": "function",
        "function": {"name": "campaign_performance", "arguments": '{"campaign": "Summer Sale"}'},
    }
    assert json.loads(second[-1]["content"])["campaigns"][0]["period"]["spend"] == "700.00"
    assert pieces == ["Done."]
