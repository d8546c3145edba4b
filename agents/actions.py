"""The actions agents may propose: their types and which agent proposes which, both read from the registry
of action specs (agents.action_specs), and `ProposedAction`, what an engine hands over for approval."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from agents.action_specs import SPECS, WALKER_SPECS
from agents.models import AgentType

ActionType = models.TextChoices(
    "ActionType", [(action_type.upper(), (action_type, spec.label)) for action_type, spec in SPECS.items()]
)

AGENT_ACTIONS: dict[str, frozenset[str]] = {
    agent: frozenset(action_type for action_type, spec in SPECS.items() if agent in spec.agents)
    for agent in AgentType.values
}


def action_name(action_type: str) -> str:
    """An action type in words ("Set a campaign's daily budget"); one Walker no longer has reads as stored."""
    spec = WALKER_SPECS.get(action_type)
    return str(spec.label) if spec is not None else action_type


def agent_name(agent_type: str) -> str:
    """An agent type in words ("Paid Ads"); one Walker no longer has reads as stored."""
    return str(AgentType(agent_type).label) if agent_type in AgentType.values else agent_type


@dataclass
class ProposedAction:
    """What an engine wants done. Nothing runs until a human approves it (hitl)."""

    action_type: str
    action_data: dict
    summary: str  # one line, shown to the user and the approver
    estimated_cost: Decimal = Decimal("0")  # extra money committed over the next 30 days
    estimated_reach: int = 0  # people or impressions touched
    confidence: float = 0.5  # 0..1: how sure the engine is that this is what was asked
    notes: dict = field(default_factory=dict)
