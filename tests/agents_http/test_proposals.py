from decimal import Decimal

import pytest

from agents.engines.base import EngineError
from agents.engines.proposals import parse_action, parse_actions


def _raw(**overrides):
    raw = {
        "action_type": "pause_campaign",
        "action_data": {"campaign_id": "5b0c2d4e-0000-4000-8000-000000000001", "campaign_name": "Spring"},
        "summary": "  Pause Spring  ",
        "estimated_cost": 12.5,
        "estimated_reach": 4000,
        "confidence": 0.8,
    }
    raw.update(overrides)
    return raw


def test_a_well_formed_dict_becomes_a_proposed_action():
    action = parse_action(_raw())
    assert action.action_type == "pause_campaign"
    assert action.action_data["campaign_name"] == "Spring"
    assert action.summary == "Pause Spring"
    assert action.estimated_cost == Decimal("12.5")
    assert action.estimated_reach == 4000
    assert action.confidence == 0.8


def test_integer_cost_and_boundary_confidence_are_accepted():
    action = parse_action(_raw(estimated_cost=0, confidence=1))
    assert action.estimated_cost == Decimal("0")
    assert action.confidence == 1.0


def test_a_given_action_type_wins_over_the_dict():
    raw = _raw(action_type="set_budget")
    assert parse_action(raw, action_type="pause_campaign").action_type == "pause_campaign"
    del raw["action_type"]
    assert parse_action(raw, action_type="pause_campaign").action_type == "pause_campaign"


def test_parse_actions_parses_each_entry():
    actions = parse_actions([_raw(), _raw(action_type="resume_campaign")])
    assert [a.action_type for a in actions] == ["pause_campaign", "resume_campaign"]
    assert parse_actions([]) == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("action_type", "delete_everything", "action_type must be one of set_budget"),
        ("action_type", None, "action_type must be one of"),
        ("action_data", ["campaign"], "action_data must be an object, got list"),
        ("summary", "", "summary must be a non-empty string of at most 300 characters"),
        ("summary", "   ", "summary must be a non-empty string"),
        ("summary", "x" * 301, "summary must be a non-empty string of at most 300 characters"),
        ("summary", 42, "summary must be a non-empty string"),
        ("estimated_cost", -1, "estimated_cost must be a number >= 0, got -1"),
        ("estimated_cost", "12.50", "estimated_cost must be a number >= 0, got '12.50'"),
        ("estimated_cost", float("nan"), "estimated_cost must be a number >= 0"),
        ("estimated_cost", True, "estimated_cost must be a number >= 0, got True"),
        ("estimated_reach", -5, "estimated_reach must be an integer >= 0"),
        ("estimated_reach", 10.5, "estimated_reach must be an integer >= 0, got 10.5"),
        ("confidence", 1.5, "confidence must be a number between 0 and 1, got 1.5"),
        ("confidence", -0.1, "confidence must be a number between 0 and 1"),
        ("confidence", "high", "confidence must be a number between 0 and 1"),
    ],
)
def test_malformed_fields_are_named_in_the_error(field, value, message):
    with pytest.raises(EngineError, match="^action: ") as error:
        parse_action(_raw(**{field: value}))
    assert message in str(error.value)


@pytest.mark.parametrize(
    "field", ["action_type", "action_data", "summary", "estimated_cost", "estimated_reach", "confidence"]
)
def test_every_field_is_required(field):
    raw = _raw()
    del raw[field]
    with pytest.raises(EngineError, match=f"action: {field} is missing"):
        parse_action(raw)


def test_errors_say_which_entry_was_wrong():
    with pytest.raises(EngineError, match=r"^actions\[1\]: confidence must be"):
        parse_actions([_raw(), _raw(confidence=7)])


@pytest.mark.parametrize(
    "raw, message",
    [({"action_type": "x"}, "actions must be a list, got dict"), ([3], r"actions\[0\] must be an object, got 3")],
)
def test_non_list_or_non_object_entries_are_rejected(raw, message):
    with pytest.raises(EngineError, match=message):
        parse_actions(raw)
