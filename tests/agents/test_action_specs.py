"""The registry of action types: every spec is complete, and every part of Walker reads its action types from it."""

import ast
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.utils import timezone

from agents import action_specs
from agents.action_specs import SPECS, shape_problem
from agents.action_specs.base import no_cost_rule
from agents.actions import AGENT_ACTIONS, ActionType
from agents.engines.openai_engine import tool_for
from agents.executors.base import ExecutionResult
from agents.models import AgentType, Campaign, TargetKeyword
from hitl.risk import ACTION_TYPE_MAX, DEFAULT_ACTION_BASE_RISK
from tests.factories import AudienceSegmentFactory, CampaignFactory, ContentPieceFactory

pytestmark = pytest.mark.django_db
REPEATABLE = {"schedule_content"}  # a scheduled piece may be scheduled again, for another time


@pytest.fixture
def samples(tenant):
    """Valid data for every action type, on rows of `tenant`; a new action type needs its sample here."""
    active = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    paused = CampaignFactory(tenant=tenant, name="Winter Boots", status=Campaign.Status.PAUSED)
    draft = ContentPieceFactory(tenant=tenant, title="Trail running shoes buyer's guide", status="draft")
    segment = AudienceSegmentFactory(tenant=tenant, name="Campers", size=1000)
    TargetKeyword.objects.create(tenant=tenant, keyword="hiking boots")
    later = (timezone.now() + timedelta(days=2)).isoformat()
    return {
        "set_budget": {
            "campaign_id": str(active.pk),
            "campaign_name": active.name,
            "daily_budget": "650.00",
            "previous_daily_budget": "500.00",
        },
        "pause_campaign": {"campaign_id": str(active.pk), "campaign_name": active.name},
        "resume_campaign": {"campaign_id": str(paused.pk), "campaign_name": paused.name},
        "publish_content": {"content_id": str(draft.pk), "title": draft.title},
        "schedule_content": {"content_id": str(draft.pk), "title": draft.title, "scheduled_for": later},
        "create_audience": {"name": "Tent buyers", "description": "", "based_on_segment_id": str(segment.pk)},
        "create_retargeting": {"name": "Cart 30", "source": "cart_abandoners", "lookback_days": 30},
        "add_target_keyword": {"keyword": "trail shoes"},
        "remove_target_keyword": {"keyword": "hiking boots"},
    }


def test_every_action_type_has_a_sample_here(samples):
    assert set(samples) == set(SPECS) == set(ActionType.values)


@pytest.mark.parametrize("action_type", sorted(SPECS))
def test_every_spec_is_complete(action_type):
    spec = SPECS[action_type]
    assert spec.label and spec.agents and spec.agents <= set(AgentType.values)
    jsonschema.Draft202012Validator.check_schema(spec.schema())
    assert set(spec.required) <= set(spec.properties)
    assert {field.name for field in spec.editable} <= set(spec.properties)
    assert 0 <= spec.base_risk <= ACTION_TYPE_MAX and DEFAULT_ACTION_BASE_RISK[action_type] == spec.base_risk
    assert all(action_type in AGENT_ACTIONS[agent] for agent in spec.agents)
    tool = tool_for(action_type)["function"]
    assert tool["name"] == action_type and tool["parameters"]["properties"]["action_data"]["properties"] == (
        spec.properties
    )


@pytest.mark.parametrize("action_type", sorted(SPECS))
def test_each_spec_checks_describes_and_carries_out_its_sample(tenant, samples, action_type):
    spec, data = SPECS[action_type], samples[action_type]
    assert shape_problem(spec, data) is None and spec.check(tenant, data) is None
    assert spec.describe(data).strip()
    (what, now, after), *_ = spec.changes(tenant, data)
    assert what and now and after and now != after
    result = spec.execute(tenant, data)
    assert isinstance(result, ExecutionResult) and result.detail and result.after != result.before
    if action_type not in REPEATABLE:
        assert spec.check(tenant, data) is not None  # done: proposing it again is refused


@pytest.mark.parametrize(
    "action_type, change, fragment",
    [
        ("set_budget", {"daily_budget": "lots"}, "not a number"),
        ("set_budget", {"campaign_id": "not-a-uuid"}, "does not exist"),
        ("create_retargeting", {"lookback_days": "30"}, "lookback_days: '30' is not of type 'integer'"),
        ("create_retargeting", {"source": "phone_book"}, "is not one of"),
        ("schedule_content", {"scheduled_for": "2001-01-01T00:00:00+00:00"}, "in the past"),
    ],
)
def test_bad_data_is_refused_with_a_reason(tenant, samples, action_type, change, fragment):
    spec, data = SPECS[action_type], {**samples[action_type], **change}
    assert fragment in (shape_problem(spec, data) or spec.check(tenant, data) or "")


def test_the_cost_rule_is_the_budget_specs_own():
    cost = action_specs.spec_for("set_budget").cost
    assert cost({"daily_budget": "650", "previous_daily_budget": "500"}) == Decimal("4500.00")  # $150 × 30 days
    assert cost({"daily_budget": "400", "previous_daily_budget": "500"}) == Decimal("0.00")  # a cut commits nothing
    assert action_specs.spec_for("pause_campaign").cost({}) is None  # no rule: the engine's estimate stands


def test_a_cost_rule_is_explained_in_words_where_there_is_one():
    for spec in SPECS.values():
        assert bool(spec.cost_rule) == (spec.cost is not no_cost_rule), spec.action_type


@pytest.mark.parametrize("action_type", sorted(SPECS))
def test_every_spec_says_how_its_proposals_compare(samples, action_type):
    """What hitl.duplicates reads: the target fields, the names and the context are fields of the schema."""
    spec, data = SPECS[action_type], samples[action_type]
    assert spec.target is not None and set(spec.target.fields) <= set(spec.properties)
    assert set(spec.names) | set(spec.names.values()) | set(spec.context) <= set(spec.properties)
    assert spec.target_key(data).startswith(f"{spec.target.kind}:")
    assert not set(spec.names.values()) & set(spec.comparable(data)["effect"])  # names never tell proposals apart


def test_comparing_ignores_spelling_but_not_meaning(samples):
    spec, data = SPECS["set_budget"], samples["set_budget"]
    respelled = {
        **data,
        "daily_budget": 650,
        "campaign_name": "summer sale!",
        "campaign_id": data["campaign_id"].upper(),
    }
    assert spec.comparable(respelled) == spec.comparable(data)
    assert spec.comparable({**data, "previous_daily_budget": "499.00"}) == spec.comparable(data)  # the situation
    assert spec.comparable({**data, "daily_budget": "650.01"}) != spec.comparable(data)
    schedule = SPECS["schedule_content"]
    at_noon_utc = {"content_id": "c", "scheduled_for": "2030-01-01T12:00:00Z"}
    same_in_paris = {"content_id": "c", "scheduled_for": "2030-01-01T13:00:00+01:00", "title": "Guide"}
    assert schedule.comparable(at_noon_utc) == schedule.comparable(same_in_paris)


def _string_constants(path: Path):
    """Every string literal of a module with its line, docstrings aside (prose may name an example)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


# Data keys that are also ordinary words of these apps (a workflow's name, a history row's description): they
# are caught only when read straight out of an action's data.
GENERIC_KEYS = {"name", "description", "source", "title"}
ACTION_DATA_READ = re.compile(r"\baction_data(?:\.get\(|\[)\s*[\"'](\w+)[\"']")


def test_hitl_and_conversations_leave_action_types_to_their_specs():
    """Adding an action type touches its spec module only: no hitl or conversations module names an action
    type or one of its data keys (the registry, agents.action_specs, is asked instead)."""
    root = Path(__file__).resolve().parents[2]
    types = set(action_specs.WALKER_SPECS)
    keys = {key for spec in action_specs.WALKER_SPECS.values() for key in spec.properties}
    found = []
    for app in ("hitl", "conversations"):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            where = path.relative_to(root)
            for line, value in _string_constants(path):
                if value in types or value in keys - GENERIC_KEYS:
                    found.append(f"{where}:{line} {value!r}")
            for match in ACTION_DATA_READ.finditer(path.read_text()):
                if match.group(1) in keys:
                    found.append(f"{where}: reads {match.group(0)!r}")
    assert found == []
