"""Personal data leaves Walker for an external LLM only if the tenant chose so (fake servers on 127.0.0.1)."""

import pytest

from agents.engines import run_engine
from agents.engines.base import EngineReply, EngineRequest, HistoryItem
from agents.engines.builtin import BuiltinEngine
from agents.engines.langflow import LangflowEngine
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent
from conversations.normalized import InboundMessage
from tests.pipeline import exchange

PERSONAL = "Call Jane on +1 415 555 0199 or jane.doe@example.com, card 4111 1111 1111 1111"
EARLIER = "My IBAN is DE89 3704 0044 0532 0130 00"
SECRETS = ("555 0199", "jane.doe@example.com", "4111 1111", "DE89 3704")


@pytest.fixture
def fake_llms(settings, httpserver):
    settings.OPENAI_BASE_URL = httpserver.url_for("/v1")
    settings.OPENAI_API_KEY = "sk-test"
    settings.LANGFLOW_URL = httpserver.url_for("")
    settings.LANGFLOW_FLOW_ID = "flow-1"
    settings.AGENT_ENGINE_TIMEOUT = 5
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Noted."}}]}
    httpserver.expect_request("/v1/chat/completions").respond_with_json(answer)
    flow = {"outputs": [{"outputs": [{"results": {"message": {"text": "Noted."}}}]}]}
    httpserver.expect_request("/api/v1/run/flow-1").respond_with_json(flow)
    return httpserver


def _request(tenant, user):
    return EngineRequest(
        tenant=tenant,
        user=user,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        conversation_id="conv-1",
        text=PERSONAL,
        history=(HistoryItem("user", EARLIER), HistoryItem("assistant", "Thanks.")),
    )


def _sent(server) -> str:
    [(request, _)] = server.log
    return request.get_data(as_text=True)


@pytest.mark.parametrize("engine_class", [OpenAIEngine, LangflowEngine])
def test_external_engines_get_placeholders_by_default(fake_llms, tenant, colleague, engine_class):
    assert run_engine(engine_class(), _request(tenant, colleague)).text == "Noted."
    sent = _sent(fake_llms)
    for secret in SECRETS:
        assert secret not in sent
    assert "[phone]" in sent and "[email]" in sent and "[card]" in sent
    if engine_class is OpenAIEngine:  # Langflow keeps history itself (session id): only the text goes
        assert "[iban]" in sent


@pytest.mark.parametrize("engine_class", [OpenAIEngine, LangflowEngine])
def test_a_tenant_that_opted_in_sends_the_text_as_written(fake_llms, tenant, colleague, engine_class):
    tenant.share_personal_data_with_llm = True
    tenant.save(update_fields=["share_personal_data_with_llm"])
    run_engine(engine_class(), _request(tenant, colleague))
    assert "jane.doe@example.com" in _sent(fake_llms)


def test_the_builtin_engine_reads_the_text_as_written(tenant, colleague, monkeypatch):
    seen = []
    monkeypatch.setattr(BuiltinEngine, "run", lambda self, request: seen.append(request.text) or EngineReply("ok"))
    run_engine(BuiltinEngine(), _request(tenant, colleague))
    assert seen == [PERSONAL]


def test_the_pipeline_runs_external_engines_without_personal_data(fake_llms, settings, colleague):
    settings.AGENT_ENGINE = "openai"
    result = exchange(InboundMessage(channel="chat", text=PERSONAL, user_id=colleague.pk))
    assert result.reply.text == "Noted."
    sent = _sent(fake_llms)
    assert "[phone]" in sent and "jane.doe@example.com" not in sent
