"""The registry of action types: one `ActionSpec` each (agents.action_specs.base), grouped by what they change.

Adding an action type is one spec in one of these modules (or a new module listed here) plus its tests;
the LLM tools, the gateway, the approval pages, approver edits, the risk score and the ledger read it here.
"""

from collections.abc import Callable
from decimal import Decimal

from agents.action_specs import audiences, campaigns, content, keywords, recommendations
from agents.action_specs.base import MOMENT, MONEY, ActionSpec, no_budget

# The agents' action types: each an LLM tool and a choice of the approvals' action type.
SPECS: dict[str, ActionSpec] = {
    spec.action_type: spec for module in (campaigns, content, audiences, keywords) for spec in module.SPECS
}
# Types only Walker's own automation files (a platform's recommendation): no agent proposes them.
AUTOMATION_SPECS: dict[str, ActionSpec] = {spec.action_type: spec for spec in recommendations.SPECS}
# Every type of Walker's own, whoever proposes it; a tenant's registered types are never one of these.
WALKER_SPECS: dict[str, ActionSpec] = {**SPECS, **AUTOMATION_SPECS}


# The fields that hold money, in any action's data, and the estimate every approval carries: shown with a currency.
MONEY_FIELDS = frozenset(
    {"estimated_cost"}
    | {key for spec in WALKER_SPECS.values() for key, shape in spec.properties.items() if shape is MONEY}
)
# The fields that hold a time (ISO 8601): shown in the reader's zone.
MOMENT_FIELDS = frozenset(
    key for spec in WALKER_SPECS.values() for key, shape in spec.properties.items() if shape is MOMENT
)


def spec_for(action_type: str) -> ActionSpec | None:
    """Walker's own spec of `action_type`; a tenant's registered types too: agents.tenant_actions.registry.spec_for."""
    return WALKER_SPECS.get(action_type)


def daily_budgets(action_type: str, data) -> tuple[Decimal, Decimal] | None:
    """The daily budget before and after the action, when it changes one and its data says both."""
    spec = WALKER_SPECS.get(action_type)
    return spec.daily_budgets(data) if spec is not None and isinstance(data, dict) else None


def moves_budgets(action_type: str) -> bool:
    """Whether the action type changes a daily budget (its spec says how: `daily_budgets`)."""
    spec = WALKER_SPECS.get(action_type)
    return spec is not None and spec.daily_budgets is not no_budget


# Checks a higher app adds to an action type's own (adplatforms: guardrails and shared budgets of synced campaigns),
# registered when it is ready: (tenant, data) -> a reason the user can read, or None.
_checks: dict[str, list[Callable[..., str | None]]] = {}


def register_check(action_type: str, check: Callable[..., str | None]) -> None:
    registered = _checks.setdefault(action_type, [])
    if check not in registered:
        registered.append(check)


def check(spec: ActionSpec, tenant, data: dict) -> str | None:
    """Why the proposal makes no sense for the tenant's rows: the spec's own check, then the registered ones."""
    reason = spec.check(tenant, data)
    for extra in _checks.get(spec.action_type, ()):
        reason = reason or extra(tenant, data)
    return reason


def completed(spec: ActionSpec, tenant, data: dict) -> dict:
    """The accepted proposal's data with what the tenant's rows add (a campaign's currency)."""
    return spec.complete(tenant, data) if spec.complete else data


def shape_problem(spec: ActionSpec, data) -> str | None:
    """Why `data` does not fit the action's schema, in words; None when it does (a tenant-defined type also
    bounds the args' size and depth)."""
    return spec.args_problem(data)
