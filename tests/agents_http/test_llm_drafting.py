"""Issue 31, point 6: with an LLM engine, the Content agent drafts. The draft is stored at once (it is not
public), the reply says so and names it, and publishing it still waits for approval. Fake engines on 127.0.0.1."""

import json
import time
import uuid

import pytest
from werkzeug import Response

from agents import drafts
from agents.engines.base import EngineError, EngineRequest
from agents.engines.langflow import LangflowEngine
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent, ContentPiece, EngineChoice, ToolCallAudit
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from tests.factories import ContentPieceFactory
from tests.pipeline import exchange

ASKED = "Write a blog post about choosing fall hiking boots"
TITLE = "Choosing fall hiking boots"
BODY = "Fit comes first: try boots on in the afternoon, with the socks you hike in. " * 20


class ScriptedModel:
    """Answers each completion with the next scripted message (or HTTP status); remembers what it was sent."""

    def __init__(self, server, *answers, delay=0.0):
        self.answers, self.sent, self.delay = list(answers), [], delay
        server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(self._answer)

    def _answer(self, request):
        self.sent.append(request.get_json())
        time.sleep(self.delay)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, int):
            return Response(json.dumps({"error": {"message": "down"}}), status=answer, content_type="application/json")
        body = {"choices": [{"index": 0, "message": {"role": "assistant", **answer}}]}
        return Response(json.dumps(body), content_type="application/json")


def call(name, arguments, call_id="call_1"):
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": raw}}


def uses(*calls, content=None):
    return {"content": content, "tool_calls": list(calls)}


def write_it(title=TITLE, body=BODY, channel="blog", call_id="call_1"):
    return call(drafts.TOOL, {"title": title, "channel": channel, "body": body}, call_id)


def tool_results(sent_body) -> list[dict]:
    return [json.loads(m["content"]) for m in sent_body["messages"] if m["role"] == "tool"]


def tool_names(sent_body) -> set[str]:
    return {tool["function"]["name"] for tool in sent_body["tools"]}


@pytest.fixture
def model(settings, httpserver):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_API_KEY = "sk-test"
    settings.AGENT_ENGINE_TIMEOUT = 5
    return lambda *answers, delay=0.0: ScriptedModel(httpserver, *answers, delay=delay)


@pytest.fixture
def tenant_openai(tenant, httpserver, loopback_receivers, settings):
    """The tenant's own OpenAI-compatible engine, for every agent (the pipeline's path)."""
    settings.AGENT_ENGINE_TIMEOUT = 5
    return EngineChoice.objects.create(
        tenant=tenant, engine="openai", endpoint=httpserver.url_for("/v1"), model="m", api_key="sk-tenant"
    )


def agent(agent_type="content"):
    return AIAgent.objects.get(is_system_agent=True, agent_type=agent_type)


def ask(tenant, user, text=ASKED, agent_type="content", conversation_id=None, **fields):
    request = EngineRequest(
        tenant=tenant,
        user=user,
        agent=agent(agent_type),
        conversation_id=conversation_id or str(uuid.uuid4()),
        text=text,
        **fields,
    )
    return OpenAIEngine().run(request)


def chat(user, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk, agent_type="content"))


# --- The OpenAI-compatible engine ---------------------------------------------------------


def test_the_content_agent_drafts_a_blog_post_and_the_reply_names_the_draft(model, tenant, colleague):
    scripted = model(uses(write_it()), {"content": "I wrote a post on fit, sole and waterproofing."})
    reply = ask(tenant, colleague)
    piece = ContentPiece.objects.get()
    assert (piece.tenant, piece.title, piece.channel, piece.status) == (tenant, TITLE, "blog", "draft")
    assert piece.body == BODY.strip() and piece.published_at is None
    assert reply.text.startswith(f"Saved as a draft: “{TITLE}” (Blog). It is not public")
    assert "a person will approve that first" in reply.text
    assert reply.text.endswith("I wrote a post on fit, sole and waterproofing.") and reply.actions == []
    assert drafts.TOOL in tool_names(scripted.sent[0])
    [result] = tool_results(scripted.sent[1])
    assert result["content_id"] == str(piece.pk) and result["status"].startswith("saved as a draft")
    audit = ToolCallAudit.objects.get(action_type=drafts.TOOL)
    assert audit.decision == "drafted" and audit.action_data["content_id"] == str(piece.pk)
    assert audit.action_data["body_chars"] == len(BODY) and "body" not in audit.action_data


def test_only_the_content_agent_is_offered_drafting(model, tenant, colleague):
    scripted = model({"content": "Spend is on track."})
    ask(tenant, colleague, "How are my campaigns?", agent_type="paid_ads")
    assert drafts.TOOL not in tool_names(scripted.sent[0])


def test_another_agent_calling_the_drafting_tool_gets_nothing_stored(model, tenant, colleague):
    model(uses(write_it()))
    with pytest.raises(EngineError, match="may not use"):
        ask(tenant, colleague, agent_type="seo")
    assert not ContentPiece.objects.exists()


def test_a_suggestion_for_a_person_stores_no_draft(model, tenant, colleague):
    scripted = model({"content": "Here is a post you could send…"})
    ask(tenant, colleague, may_write=False)
    assert drafts.TOOL not in tool_names(scripted.sent[0])
    assert not ContentPiece.objects.exists()


def test_the_draft_belongs_to_the_asking_tenant_only(model, tenant, other_tenant, colleague):
    ContentPieceFactory(tenant=other_tenant, title=TITLE)
    model(uses(write_it()), {"content": "Done."})
    ask(tenant, colleague)
    assert ContentPiece.objects.for_tenant(tenant).get().title == TITLE
    assert ContentPiece.objects.for_tenant(other_tenant).count() == 1


def test_an_oversized_draft_is_refused_whole_and_the_person_is_told(model, tenant, colleague):
    too_long = "word " * (drafts.BODY_MAX_CHARS // 5 + 1)
    scripted = model(uses(write_it(body=too_long)), {"content": "Sorry, it came out too long."})
    reply = ask(tenant, colleague)
    assert not ContentPiece.objects.exists()
    [result] = tool_results(scripted.sent[1])
    assert "longer than 20,000 characters" in result["error"]
    assert reply.text.startswith(f"The draft “{TITLE}” was not saved: it is longer than 20,000 characters.")
    assert ToolCallAudit.objects.get(action_type=drafts.TOOL).decision == "refused"


def test_an_oversized_title_or_an_empty_body_or_an_unknown_channel_is_refused(model, tenant, colleague):
    calls = [
        write_it(title="T" * (drafts.TITLE_MAX_CHARS + 1)),
        write_it(body="   ", call_id="call_2"),
        write_it(channel="carrier pigeon", call_id="call_3"),
        call(drafts.TOOL, "{not json", "call_4"),
    ]
    scripted = model(uses(*calls), {"content": "None of them saved."})
    ask(tenant, colleague)
    errors = [r["error"] for r in tool_results(scripted.sent[1])]
    assert "title is longer than 200 characters" in errors[0] and "it has no text" in errors[1]
    assert "not a channel Walker knows" in errors[2] and "unreadable" in errors[3]
    assert not ContentPiece.objects.exists()


def test_drafts_are_limited_per_conversation_and_hour(model, tenant, colleague):
    conversation = str(uuid.uuid4())
    calls = [write_it(title=f"Post {n}", call_id=f"call_{n}") for n in range(drafts.MAX_DRAFTS_PER_HOUR + 1)]
    scripted = model(uses(*calls), {"content": "Done."})
    ask(tenant, colleague, conversation_id=conversation)
    assert ContentPiece.objects.count() == drafts.MAX_DRAFTS_PER_HOUR
    assert "limit of 5 drafts an hour" in tool_results(scripted.sent[1])[-1]["error"]


def test_a_draft_saved_before_the_engine_failed_is_still_reported(model, tenant, colleague):
    model(uses(write_it()), 500)
    reply = ask(tenant, colleague)
    assert ContentPiece.objects.get().title == TITLE
    assert reply.text.startswith(f"Saved as a draft: “{TITLE}”")
    assert reply.text.endswith("(The AI engine stopped before it finished its answer.)")


@pytest.mark.slow
def test_an_engine_timeout_says_so_and_stores_nothing(model, settings, tenant, colleague):
    settings.AGENT_ENGINE_TIMEOUT = 1
    model(uses(write_it()), delay=1.5)
    with pytest.raises(EngineError) as failed:
        ask(tenant, colleague)
    assert failed.value.reply.startswith("The AI engine did not answer within 1 seconds")
    assert "nothing was saved or changed" in failed.value.reply
    assert not ContentPiece.objects.exists()


# --- Through the pipeline, with the tenant's own engine ---------------------------------------


def test_drafted_in_conversation_then_publishing_it_waits_for_approval(tenant_openai, httpserver, colleague):
    scripted = ScriptedModel(
        httpserver,
        uses(write_it()),
        {"content": "Your post covers fit, soles and waterproofing."},
        uses(call("publish_content", {}, "call_9")),  # replaced below, once the draft's id is known
        {"content": "Publishing it is waiting for approval."},
    )
    first = chat(colleague, ASKED)
    piece = ContentPiece.objects.get()
    assert f"Saved as a draft: “{TITLE}” (Blog)" in first.reply.text
    assert "Your post covers fit" in first.reply.text and first.actions == []
    publish = {
        "action_data": {"content_id": str(piece.pk), "title": TITLE},
        "summary": f"Publish '{TITLE}'",
        "estimated_cost": 0,
        "estimated_reach": 2000,
        "confidence": 0.9,
    }
    scripted.answers[0] = uses(call("publish_content", publish, "call_9"))
    second = chat(colleague, "Great, publish it")
    [outcome] = second.actions
    assert outcome.status == "pending"
    approval = HITLApproval.objects.get()
    assert (approval.action_type, approval.action_data["content_id"]) == ("publish_content", str(piece.pk))
    piece.refresh_from_db()
    assert piece.status == "draft" and piece.published_at is None


@pytest.mark.slow
def test_an_engine_timeout_in_conversation_is_answered_plainly(tenant_openai, httpserver, settings, colleague):
    settings.AGENT_ENGINE_TIMEOUT = 1
    ScriptedModel(httpserver, {"content": "too late"}, delay=1.5)
    result = chat(colleague, ASKED)
    assert result.reply.text.startswith("The AI engine did not answer within 1 seconds, so I have no answer")
    assert result.reply.metadata["engine_error"] is True
    assert not ContentPiece.objects.exists()


def test_an_engine_error_in_conversation_is_answered_plainly(tenant_openai, httpserver, colleague):
    ScriptedModel(httpserver, 503)
    result = chat(colleague, ASKED)
    assert result.reply.text.startswith("The AI engine could not be reached just now")
    assert not ContentPiece.objects.exists()


# --- A Langflow flow ------------------------------------------------------------------------------


@pytest.fixture
def langflow(settings, httpserver):
    settings.LANGFLOW_URL = httpserver.url_for("")
    settings.LANGFLOW_FLOW_ID = "flow-1"
    settings.AGENT_ENGINE_TIMEOUT = 5
    return httpserver


def flow_says(server, data, delay=0.0):
    text = data if isinstance(data, str) else json.dumps(data)
    body = {"outputs": [{"outputs": [{"results": {"message": {"text": text}}}]}]}

    def answer(_request):
        time.sleep(delay)
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/api/v1/run/flow-1", method="POST").respond_with_handler(answer)


def run_flow(tenant, user, agent_type="content", **fields):
    request = EngineRequest(
        tenant=tenant, user=user, agent=agent(agent_type), conversation_id=str(uuid.uuid4()), text=ASKED, **fields
    )
    return LangflowEngine().run(request)


def test_a_langflow_flow_drafts_through_its_structured_reply(langflow, tenant, colleague):
    flow_says(langflow, {"reply": "Here it is.", "drafts": [{"title": TITLE, "channel": "blog", "body": BODY}]})
    reply = run_flow(tenant, colleague)
    piece = ContentPiece.objects.get()
    assert (piece.tenant, piece.title, piece.status, piece.body) == (tenant, TITLE, "draft", BODY.strip())
    assert reply.text.startswith(f"Saved as a draft: “{TITLE}” (Blog).") and reply.text.endswith("Here it is.")


def test_a_langflow_draft_for_another_agent_or_a_suggestion_is_not_saved(langflow, tenant, colleague):
    flow_says(langflow, {"reply": "Here it is.", "drafts": [{"title": TITLE, "channel": "blog", "body": BODY}]})
    assert "only the Content agent writes drafts" in run_flow(tenant, colleague, agent_type="seo").text
    assert "a suggested answer saves nothing" in run_flow(tenant, colleague, may_write=False).text
    assert not ContentPiece.objects.exists()


def test_an_oversized_langflow_draft_is_not_saved(langflow, tenant, colleague):
    too_long = "x" * (drafts.BODY_MAX_CHARS + 1)
    flow_says(langflow, {"reply": "Here it is.", "drafts": [{"title": TITLE, "body": too_long}]})
    assert "it is longer than 20,000 characters" in run_flow(tenant, colleague).text
    assert not ContentPiece.objects.exists()


@pytest.mark.slow
def test_a_langflow_timeout_says_so(langflow, settings, tenant, colleague):
    settings.AGENT_ENGINE_TIMEOUT = 1
    flow_says(langflow, {"reply": "late"}, delay=1.5)
    with pytest.raises(EngineError) as failed:
        run_flow(tenant, colleague)
    assert failed.value.reply.startswith("The AI engine did not answer within 1 seconds")
