"""A tenant-defined action type as the registry answers it: a `TenantActionSpec`, an `ActionSpec` with what a
registered type adds (its own full schema, money and reach fields, reversibility, expiry, how it runs).

`spec_for(action_type, tenant)` is the one lookup for a type, Walker's own or the tenant's; a tenant's is built once
per lookup from the row, in the active language, so a renamed type or a changed schema holds from the next request on.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from agents.action_specs import WALKER_SPECS
from agents.action_specs.base import ActionSpec, Editable, field_label, money
from agents.executors.base import ExecutionError
from agents.tenant_actions import RunBy, schemas
from agents.tenant_actions.models import TenantActionType
from tenants.pii import mask

SUMMARY_LENGTH = 300  # hitl.models.HITLApproval.action_summary


@dataclass(frozen=True)
class TenantActionSpec(ActionSpec):
    args_schema: dict = field(default_factory=dict)  # the whole registered schema, not only its properties
    reversible: bool = False
    money_field: str = ""
    currency: str = ""  # ISO 4217, when fixed; else `currency_field` names the args' field holding it
    currency_field: str = ""
    reach_field: str = ""
    default_expiry: timedelta = timedelta(hours=24)
    runs_by: str = RunBy.AGENT

    def schema(self) -> dict:
        return self.args_schema

    def args_problem(self, data) -> str | None:
        return schemas.args_problem(self.args_schema, data)

    def currency_of(self, data: dict) -> str:
        """The money's currency: the type's own, or the one the args carry (upper-cased; "" when none)."""
        if self.currency or not self.currency_field or not isinstance(data, dict):
            return self.currency
        carried = data.get(self.currency_field)
        return carried.upper() if isinstance(carried, str) else ""

    def reach(self, data: dict) -> int | None:
        """How many people the action reaches, read from its reach field; None without one."""
        value = data.get(self.reach_field) if self.reach_field and isinstance(data, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def spec_for(action_type: str, tenant=None) -> ActionSpec | None:
    """The spec of `action_type`: one of Walker's own, else (given a tenant) one the tenant registered. Walker's own
    keys are never a tenant's."""
    spec = WALKER_SPECS.get(action_type)
    return spec if spec is not None or tenant is None else tenant_spec(tenant, action_type)


def tenant_spec(tenant, action_type: str) -> TenantActionSpec | None:
    """The tenant's registered type with key `action_type`, as a spec; None when it has none."""
    row = TenantActionType.objects.for_tenant(tenant).filter(key=action_type).first()
    return as_spec(row) if row is not None else None


def as_spec(row: TenantActionType) -> TenantActionSpec:
    label = row.name_in()
    properties = row.args_schema["properties"]
    return TenantActionSpec(
        action_type=row.key,
        label=label,
        agents=frozenset(),  # proposed by agents outside Walker, through the API, never by its own four
        properties=properties,
        required=tuple(row.args_schema.get("required", ())),
        check=_fits_any_rows,
        execute=partial(_not_by_the_ledger, row.key),
        describe=partial(_describe, label),
        changes=_changes,
        base_risk=row.base_risk,
        editable=tuple(_editable(name, properties[name], row.money_field) for name in row.editable_fields),
        cost=partial(_money_in, row.money_field),  # the money the action moves, read from its money field
        args_schema=row.args_schema,
        reversible=row.reversible,
        money_field=row.money_field,
        currency=row.currency,
        currency_field=row.currency_field,
        reach_field=row.reach_field,
        default_expiry=row.default_expiry,
        runs_by=row.runs_by,
    )


def _editable(name: str, field_schema: dict, money_field: str) -> Editable:
    return Editable(
        name, field_label(name), integer=schemas.types_of(field_schema) == {"integer"}, money=name == money_field
    )


def _fits_any_rows(tenant, data: dict) -> None:
    """Walker holds none of the rows a tenant-defined action changes: nothing to check them against."""
    return None


def _not_by_the_ledger(key: str, tenant, data: dict):
    raise ExecutionError(_("Walker does not carry out “%(key)s” actions itself.") % {"key": key})


def _describe(label: str, data: dict) -> str:
    """The stored summary every channel shows (the queue, emails, Slack): personal data in the args masked."""
    shown = (
        ", ".join(f"{field_label(key)}: {mask(str(value))}" for key, value in data.items())
        if isinstance(data, dict)
        else ""
    )
    return f"{label} ({shown})"[:SUMMARY_LENGTH] if shown else label


def _changes(tenant, data: dict) -> list[tuple[str, str, str]]:
    """The approval page's "what changes" rows, masked as the summary is (its args table is revealed on request)."""
    return [(field_label(key), "", mask(str(value))) for key, value in data.items()] if isinstance(data, dict) else []


def _money_in(money_field: str, data: dict) -> Decimal | None:
    return money(data.get(money_field)) if money_field and isinstance(data, dict) else None
