"""The registry of action types: one `ActionSpec` each (agents.action_specs.base), grouped by what they change.

Adding an action type is one spec in one of these modules (or a new module listed here) plus its tests;
the LLM tools, the gateway, the approval pages, approver edits, the risk score and the ledger read it here.
"""

import jsonschema

from agents.action_specs import audiences, campaigns, content, keywords
from agents.action_specs.base import MONEY, ActionSpec

SPECS: dict[str, ActionSpec] = {
    spec.action_type: spec for module in (campaigns, content, audiences, keywords) for spec in module.SPECS
}


# The fields that hold money, in any action's data, and the estimate every approval carries: shown with a currency.
MONEY_FIELDS = frozenset(
    {"estimated_cost"} | {key for spec in SPECS.values() for key, shape in spec.properties.items() if shape is MONEY}
)


def spec_for(action_type: str) -> ActionSpec | None:
    return SPECS.get(action_type)


def shape_problem(spec: ActionSpec, data) -> str | None:
    """Why `data` does not fit the action's schema, in words; None when it does."""
    try:
        jsonschema.validate(data, spec.schema())
    except jsonschema.ValidationError as error:
        where = ".".join(str(part) for part in error.absolute_path)
        return f"{where + ': ' if where else ''}{error.message}"
    return None
