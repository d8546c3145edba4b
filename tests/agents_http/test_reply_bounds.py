"""An engine's answer is bounded wherever it comes from: `run_engine` cuts text beyond AGENT_REPLY_MAX_CHARS at a
word with a visible note (and logs it), stops what is streamed live at the same length, keeps at most the
proposals one answer may carry, and drops characters PostgreSQL cannot store."""

import json
import logging
import uuid

import pytest
from werkzeug import Response

from agents.engines import MAX_ACTIONS_PER_REPLY, SHORTENED_NOTE, run_engine
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.langflow import LangflowEngine
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent
from conversations.normalized import InboundMessage
from tests.factories import CampaignFactory, budget_action
from tests.pipeline import exchange

LIMIT = 4000
LONG = " ".join(f"word{n}" for n in range(40_000))  # about 300,000 characters, as the model wrote


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AGENT_REPLY_MAX_CHARS = LIMIT
    settings.OPENAI_API_KEY, settings.AGENT_ENGINE_TIMEOUT = "sk-test", 10


def request_for(user, on_delta=None):
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    return EngineRequest(
        tenant=user.tenant,
        user=user,
        agent=agent,
        conversation_id=str(uuid.uuid4()),
        text="Tell me everything.",
        on_delta=on_delta,
    )


def openai_answering(settings, httpserver, text):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
    httpserver.expect_request("/v1/chat/completions").respond_with_json(body)
    return OpenAIEngine()


def langflow_answering(settings, httpserver, text):
    settings.LANGFLOW_URL, settings.LANGFLOW_FLOW_ID = httpserver.url_for(""), "flow-1"
    body = {"outputs": [{"outputs": [{"results": {"message": {"text": text}}}]}]}
    httpserver.expect_request("/api/v1/run/flow-1").respond_with_json(body)
    return LangflowEngine()


def assert_shortened(text: str, original: str) -> None:
    assert len(text) <= LIMIT
    body, note = text.rsplit("\n\n", 1)
    assert note == str(SHORTENED_NOTE) and body.endswith("…")
    kept = body.removesuffix("…")
    assert original.startswith(kept) and original[len(kept)] == " "  # cut between words
    assert len(kept) > LIMIT - 200


@pytest.mark.parametrize("answering", [openai_answering, langflow_answering])
def test_an_overlong_answer_is_cut_at_a_word_with_a_note_and_logged(settings, httpserver, colleague, caplog, answering):
    engine = answering(settings, httpserver, LONG)
    with caplog.at_level(logging.WARNING, logger="agents.engines"):
        reply = run_engine(engine, request_for(colleague))
    assert_shortened(reply.text, LONG)
    [logged] = [r for r in caplog.records if r.name == "agents.engines"]
    assert f"{len(LONG):,}" in logged.getMessage() and "word1" not in logged.getMessage()


def test_an_answer_of_exactly_the_limit_is_kept_whole(settings, httpserver, colleague):
    text = ("abcd " * LIMIT)[: LIMIT - 1] + "z"
    assert run_engine(openai_answering(settings, httpserver, text), request_for(colleague)).text == text


def test_one_enormous_word_is_cut_inside_it(settings, httpserver, colleague):
    text = "x" * 300_000
    reply = run_engine(openai_answering(settings, httpserver, text), request_for(colleague))
    assert len(reply.text) <= LIMIT and reply.text.startswith("x" * (LIMIT - 200))


def sse(*pieces) -> Response:
    chunks = [
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": d}],
        }
        for d in ({"role": "assistant", "content": ""}, *({"content": p} for p in pieces))
    ]
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return Response(body, content_type="text/event-stream")


def test_what_is_shown_live_stops_at_the_limit_too(settings, httpserver, colleague):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    pieces = [LONG[i : i + 1000] for i in range(0, len(LONG), 1000)]
    httpserver.expect_request("/v1/chat/completions").respond_with_response(sse(*pieces))
    shown = []
    reply = run_engine(OpenAIEngine(), request_for(colleague, on_delta=shown.append))
    assert "".join(shown) == LONG[:LIMIT]
    assert_shortened(reply.text, LONG)


def test_proposals_beyond_what_one_answer_may_carry_are_left_out_and_said(engine, tenant, colleague):
    campaigns = [CampaignFactory(tenant=tenant) for _ in range(MAX_ACTIONS_PER_REPLY + 30)]
    engine.reply = EngineReply(text="Many changes.", actions=[budget_action(c) for c in campaigns])
    reply = run_engine(engine, request_for(colleague))
    kept = [str(c.pk) for c in campaigns[:MAX_ACTIONS_PER_REPLY]]
    assert [a.action_data["campaign_id"] for a in reply.actions] == kept
    assert reply.text.startswith("Many changes.") and "30 more proposals were left out" in reply.text


@pytest.mark.parametrize(
    "written, stored",
    [
        (LONG, None),  # cut, as above
        ("Spend\x00 was $700.", "Spend was $700."),  # NUL: PostgreSQL refuses it in text
        ("Spend \ud800was $700.", "Spend \ufffdwas $700."),  # a lone surrogate has no UTF-8 form
    ],
)
def test_the_stored_and_delivered_answer_is_the_bounded_one(engine, colleague, written, stored):
    engine.reply = EngineReply(text=written)
    result = exchange(InboundMessage(channel="chat", text="Tell me everything.", user_id=colleague.pk))
    if stored is None:
        assert_shortened(result.reply.text, written)
    else:
        assert result.reply.text == stored
    assert engine.reply.text == written  # the engine's own reply object is left as it was
