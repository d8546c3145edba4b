"""Issue 31, point 6: with an LLM engine, the daily brief's summary and recommendations are the engine's, written
from the brief's own figures; the built-in text stands when the engine fails, is slow, or writes something unusable.
Fake engines on 127.0.0.1."""

import json
import time
from datetime import UTC, datetime
from datetime import time as clock

import pytest
from werkzeug import Response

from agents.models import EngineChoice
from briefs import written
from briefs.services import send_due_briefs
from tests.factories import ContentPieceFactory, EmailPreferenceFactory, UserFactory

MORNING = datetime(2026, 11, 24, 8, 5, tzinfo=UTC)
BUILT_IN_TIP = "Publish “Fall boots guide”."
SUMMARY = "A quiet week: one draft waits, nothing was published in 30 days."
TIP = "Finish and publish the fall boots guide before the weekend."


@pytest.fixture
def figures(tenant):
    ContentPieceFactory(tenant=tenant, title="Fall boots guide")  # a draft: the built-in tip is to publish it


def reader(tenant, **fields):
    user = UserFactory(tenant=tenant, **fields)
    preference = EmailPreferenceFactory(user=user, timezone="UTC", delivery_time=clock(8, 0))
    type(preference).objects.filter(pk=preference.pk).update(include_sections=["content"])
    return user


@pytest.fixture
def openai_engine(tenant, httpserver, loopback_receivers):
    EngineChoice.objects.create(
        tenant=tenant, engine="openai", endpoint=httpserver.url_for("/v1"), model="brief-model", api_key="sk-t"
    )


@pytest.fixture
def langflow_engine(tenant, httpserver, loopback_receivers):
    EngineChoice.objects.create(tenant=tenant, engine="langflow", endpoint=httpserver.url_for(""), model="chat-flow")


def model_writes(server, content, *, status=200, delay=0.0):
    def answer(_request):
        time.sleep(delay)
        body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        return Response(json.dumps(body), status=status, content_type="application/json")

    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(answer)


def as_json(summary=SUMMARY, **recommendations):
    return json.dumps({"summary": summary, "recommendations": recommendations or {"content": TIP}})


def sent_to(server) -> list[dict]:
    return [request.get_json() for request, _ in server.log]


def test_the_summary_and_recommendations_are_the_engines(openai_engine, httpserver, tenant, figures, sent_emails):
    model_writes(httpserver, as_json())
    reader(tenant)
    send_due_briefs(MORNING)
    [email] = sent_emails
    assert SUMMARY in email.text and f"Recommendation: {TIP}" in email.text
    assert BUILT_IN_TIP not in email.text and SUMMARY in email.html and TIP in email.html
    assert "Drafts waiting: 1." in email.text  # the figures are still the brief's own
    [body] = sent_to(httpserver)
    assert body["model"] == "brief-model" and "tools" not in body
    system, user = body["messages"]
    assert "Acme Outdoor" in system["content"] and "never invent" in system["content"]
    material = json.loads(user["content"])
    assert material["language"] == "en-us" and "Write in English" in system["content"]
    [section] = material["sections"]
    assert section["key"] == "content" and "Drafts waiting: 1." in section["figures"]
    assert section["built_in_recommendation"] == BUILT_IN_TIP


def test_the_engine_is_asked_once_per_tenant_and_language_in_a_run(
    openai_engine, httpserver, tenant, figures, sent_emails
):
    model_writes(httpserver, as_json())
    reader(tenant), reader(tenant), reader(tenant, language="es")
    send_due_briefs(MORNING)
    assert len(sent_emails) == 3 and all(SUMMARY in email.text for email in sent_emails)
    asked = {json.loads(body["messages"][1]["content"])["language"]: body for body in sent_to(httpserver)}
    assert len(httpserver.log) == 2 and set(asked) == {"en-us", "es"}
    assert "Write in Spanish" in asked["es"]["messages"][0]["content"]


def test_a_section_the_engine_leaves_out_keeps_its_own_recommendation(
    openai_engine, httpserver, tenant, figures, sent_emails
):
    model_writes(httpserver, json.dumps({"summary": SUMMARY, "recommendations": {}}))
    reader(tenant)
    send_due_briefs(MORNING)
    [email] = sent_emails
    assert SUMMARY in email.text and f"Recommendation: {BUILT_IN_TIP}" in email.text


def test_a_langflow_daily_brief_flow_writes_it(langflow_engine, httpserver, tenant, figures, sent_emails):
    output = {"outputs": [{"outputs": [{"results": {"message": {"text": f"```json\n{as_json()}\n```"}}}]}]}
    httpserver.expect_request("/api/v1/run/daily_brief", method="POST").respond_with_json(output)
    reader(tenant)
    send_due_briefs(MORNING)
    [email] = sent_emails
    assert SUMMARY in email.text and f"Recommendation: {TIP}" in email.text
    [body] = sent_to(httpserver)
    assert "Drafts waiting: 1." in body["input_value"] and "JSON object" in body["input_value"]


def test_without_an_llm_engine_the_brief_is_the_built_in_one(tenant, figures, sent_emails):
    reader(tenant)
    send_due_briefs(MORNING)
    [email] = sent_emails
    assert f"Recommendation: {BUILT_IN_TIP}" in email.text


UNUSABLE = {
    "an error": dict(content=as_json(), status=500),
    "empty": dict(content=""),
    "an empty summary": dict(content=as_json(summary="  ")),
    "an oversize summary": dict(content=as_json(summary="Word " * (written.SUMMARY_MAX_CHARS // 5 + 1))),
    "an oversize recommendation": dict(content=as_json(content="Do " * written.RECOMMENDATION_MAX_CHARS)),
    "not JSON": dict(content="Here is your brief: sales are up!"),
    "a summary that is not text": dict(content=json.dumps({"summary": ["a", "list"], "recommendations": {}})),
    "a recommendation that is not text": dict(content=as_json(content={"step": 1})),
    "not an object": dict(content=json.dumps(["summary"])),
}


@pytest.mark.parametrize("answer", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_the_built_in_text_stands_when_the_engines_is_unusable(
    answer, openai_engine, httpserver, tenant, figures, sent_emails
):
    model_writes(httpserver, **answer)
    reader(tenant), reader(tenant)
    send_due_briefs(MORNING)
    assert len(sent_emails) == 2
    for email in sent_emails:
        assert f"Recommendation: {BUILT_IN_TIP}" in email.text and SUMMARY not in email.text
    assert len(httpserver.log) == 1  # the failure is kept for the run's other readers


@pytest.mark.slow
def test_the_built_in_text_stands_when_the_engine_is_slow(
    openai_engine, httpserver, tenant, figures, sent_emails, monkeypatch
):
    monkeypatch.setattr("briefs.written.WRITE_TIMEOUT", 0.5)
    model_writes(httpserver, as_json(), delay=1.5)
    reader(tenant)
    started = time.monotonic()
    send_due_briefs(MORNING)
    assert time.monotonic() - started < 1.4
    [email] = sent_emails
    assert f"Recommendation: {BUILT_IN_TIP}" in email.text and SUMMARY not in email.text
    time.sleep(1.2)  # the fake server answers one request at a time: let the slow one finish
