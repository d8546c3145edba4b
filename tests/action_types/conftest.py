"""An action type a tenant registers (a budget change on its own ad tool), as the API takes it and as a row."""

import copy

import pytest

from agents.tenant_actions.models import TenantActionType

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "campaign": {"type": "string", "minLength": 1},
        "amount": {"type": ["string", "number"]},
        "currency": {"type": "string"},
        "audience": {"type": "integer", "minimum": 0},
    },
    "required": ["campaign", "amount"],
    "additionalProperties": False,
}

BODY = {
    "key": "update_budget",
    "names": {"en": "Update a budget", "es": "Cambiar un presupuesto"},
    "args_schema": SCHEMA,
    "editable_fields": ["amount"],
    "money_field": "amount",
    "currency": "EUR",
    "reach_field": "audience",
    "reversible": True,
    "base_risk": 18,
    "default_expiry": "02:00:00",
    "runs_by": "agent",
}


def body(**changes) -> dict:
    """The API's body for the budget type, with `changes` (a deep copy: tests change the schema freely)."""
    return {**copy.deepcopy(BODY), **changes}


def registered(tenant, **changes) -> TenantActionType:
    """The budget type saved for `tenant` as the console and the API save it: cleaned first."""
    fields = body(**changes)
    fields.pop("default_expiry")
    row = TenantActionType(tenant=tenant, **fields)
    row.full_clean()
    row.save()
    return row


@pytest.fixture
def budget_type(tenant):
    return registered(tenant)
