"""LangGraph's interrupts read as Walker requests, and Walker's decisions written back in each shape's words."""

import pytest

from walker_approvals.interrupts import NotAnApproval, asks_of, idempotency_key, resume_value
from walker_approvals.models import Decision

ARGS = {"campaign": "Summer Sale", "amount": "700.00"}
INBOX = {
    "action_request": {"action": "update_budget", "args": ARGS},
    "config": {"allow_accept": True, "allow_edit": True, "allow_respond": False, "allow_ignore": True},
    "description": "Raise Summer Sale to 700 a day.",
}
BATCHED = {
    "action_requests": [{"name": "update_budget", "args": ARGS, "description": "Tool execution requires approval"}],
    "review_configs": [{"action_name": "update_budget", "allowed_decisions": ["approve", "edit", "reject"]}],
}


def decision(type_, args=ARGS, note=""):
    return Decision(type_, args, "0" * 64, note, "Dana Reyes", "2026-11-26T10:00:00Z")


def test_an_inbox_interrupt_asks_for_the_decisions_its_config_allows():
    [ask] = asks_of(INBOX)
    assert (ask.name, ask.args, ask.description) == ("update_budget", ARGS, "Raise Summer Sale to 700 a day.")
    assert ask.allowed == ("accept", "edit", "reject")  # ignore is Walker's reject


@pytest.mark.parametrize(
    ("walker", "human"),
    [
        (decision("accept"), {"type": "accept", "args": None}),
        (
            decision("edit", {**ARGS, "amount": "500"}),
            {"type": "edit", "args": {"action": "update_budget", "args": {**ARGS, "amount": "500"}}},
        ),  # noqa: E501
        (decision("respond", note="500?"), {"type": "response", "args": "500?"}),
        (decision("reject", note="No decision in time."), {"type": "ignore", "args": "No decision in time."}),
    ],
)
def test_walkers_decision_is_an_inbox_human_response(walker, human):
    assert resume_value(INBOX, asks_of(INBOX), [walker]) == human
    assert resume_value([INBOX], asks_of([INBOX]), [walker]) == [human]


def test_a_batched_middleware_interrupt_is_answered_with_its_decisions_in_order():
    [ask] = asks_of(BATCHED)
    assert ask.allowed == ("accept", "edit", "reject")
    edited = resume_value(BATCHED, [ask], [decision("edit", {**ARGS, "amount": "500"})])
    assert edited == {
        "decisions": [{"type": "edit", "edited_action": {"name": "update_budget", "args": {**ARGS, "amount": "500"}}}]
    }  # noqa: E501
    assert resume_value(BATCHED, [ask], [decision("reject", note="no")]) == {
        "decisions": [{"type": "reject", "message": "no"}]
    }  # noqa: E501
    assert resume_value(BATCHED, [ask], [decision("respond", note="500?")])["decisions"][0] == {
        "type": "respond",
        "message": "500?",
    }  # noqa: E501


def test_a_per_call_interrupt_reads_its_allowed_decisions_from_its_schema():
    value = {"type": "tool_approval", "tool_call_id": "c1", "name": "update_budget", "args": ARGS, "description": "d"}
    schema = {"discriminator": {"propertyName": "type", "mapping": {"approve": "#/a", "reject": "#/r"}}}
    [ask] = asks_of(value, schema)
    assert ask.allowed == ("accept", "reject")
    assert asks_of(value, {"properties": {"type": {"const": "approve"}}})[0].allowed == ("accept",)
    assert resume_value(value, [ask], [decision("accept")]) == {"type": "approve"}


def test_another_interrupt_is_not_walkers_to_answer():
    with pytest.raises(NotAnApproval):
        asks_of("What is your name?")


def test_the_key_is_the_thread_and_the_interrupt_and_stays_within_walkers_limit():
    assert idempotency_key("t-1", "abc", 0) == "langgraph:t-1:abc:0"
    assert len(idempotency_key("t" * 300, "abc", 0)) <= 200
