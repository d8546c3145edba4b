"""Rejections, edits and expiries reach the agent's next engine run as structured notes, once each."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.engines.base import DecisionNote, EngineReply, EngineRequest, Outcome
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from hitl.services.sla import process_due
from tests.factories import budget_action
from tests.pipeline import exchange


def say(user, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk))


@pytest.fixture
def proposed(engine, colleague, campaign):
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    first = say(colleague, "Raise Summer Sale to 700")
    engine.reply = EngineReply(text="Noted.")
    return HITLApproval.objects.get(pk=first.actions[0].approval_id)


def test_a_rejection_is_a_structured_note_on_the_next_run_only(engine, colleague, approver, proposed):
    reject(proposed.pk, actor=approver, reason="Budget freeze until December")
    say(colleague, "ok, what now?")
    assert engine.requests[-1].decisions == (
        DecisionNote(
            reference=proposed.reference,
            action_type="set_budget",
            outcome=Outcome.REJECTED,
            summary="Raise Summer Sale daily budget to $700.00",
            detail="Budget freeze until December",
            action_data=proposed.action_data,
        ),
    )
    say(colleague, "and now?")
    assert engine.requests[-1].decisions == ()


def test_an_edit_and_its_execution_are_reported(
    engine, colleague, approver, proposed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve(proposed.pk, actor=approver, edits={"action_data": {"daily_budget": "650.00"}})
    say(colleague, "done?")
    notes = engine.requests[-1].decisions
    assert [n.outcome for n in notes] == ["edited", "executed"]
    assert notes[0].summary == "Raise Summer Sale daily budget from $500.00 to $650.00"
    assert notes[0].action_data["daily_budget"] == "650.00" and "edited the action" in notes[0].detail


def test_an_expiry_is_reported(engine, colleague, proposed):
    process_due(now=timezone.now() + timedelta(days=30))
    assert HITLApproval.objects.get(pk=proposed.pk).status == "expired"
    say(colleague, "anything?")
    assert [n.outcome for n in engine.requests[-1].decisions] == ["expired"]


def test_the_builtin_engine_says_it_was_rejected_and_offers_another(colleague, approver, campaign):
    first = say(colleague, "Raise the Summer Sale daily budget to $700")
    [outcome] = first.actions
    reject(outcome.approval_id, actor=approver, reason="Budget freeze")
    reply = say(colleague, "How is Summer Sale doing?").reply.text
    assert reply.startswith(f"Rejected: Raise Summer Sale daily budget from $500.00 to $700.00 ({outcome.reference}).")
    assert "Reason: Budget freeze. Want me to propose something else?" in reply
    assert "Rejected" not in say(colleague, "How is Summer Sale doing?").reply.text  # told once


def test_the_openai_engine_receives_them_as_a_tool_result(settings, httpserver, tenant, colleague):
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = httpserver.url_for("/v1"), "sk-test"
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Understood."}}]}
    httpserver.expect_request("/v1/chat/completions").respond_with_json(answer)
    note = DecisionNote("BR-100200", "set_budget", Outcome.REJECTED, "Raise Summer Sale to $700", "Budget freeze")
    request = EngineRequest(
        tenant=tenant,
        user=colleague,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"),
        conversation_id=str(uuid.uuid4()),
        text="what now?",
        decisions=(note,),
    )
    OpenAIEngine().run(request)
    messages = httpserver.log[0][0].get_json()["messages"]
    call, result, user = messages[-3:]
    assert call["tool_calls"][0]["function"]["name"] == "approval_outcomes"
    assert result["role"] == "tool" and result["tool_call_id"] == call["tool_calls"][0]["id"]
    assert json.loads(result["content"])["outcomes"][0] == note.as_dict()
    assert user == {"role": "user", "content": "what now?"}
