"""What Walker knows of one action type, in one place: `ActionSpec`, and the helpers its modules share.

A spec says what the action carries (a JSON schema, used for the LLM tool, the gateway and approver
edits), which agents may propose it, whether it makes sense for the tenant's rows (`check`), how it
reads to approvers (`describe`, `changes`), what it risks (`base_risk`, `cost`), what an approver may
edit, and how Walker's own ledger carries it out (`execute`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from agents.executors.base import ExecutionError, ExecutionResult

TEXT = {"type": "string"}
ID = {"type": "string", "description": "UUID"}
MONEY = {"type": ["string", "number"], "description": 'Decimal amount, best as a string, e.g. "250.00"'}
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Editable:
    """A field of the action's data an approver may change before approving."""

    name: str
    label: str
    integer: bool = False


@dataclass(frozen=True)
class ActionSpec:
    action_type: str
    label: str  # "Set a campaign's daily budget"
    agents: frozenset[str]  # the agent types that may propose it
    properties: dict  # JSON schema properties of action_data (an LLM is asked for all of them)
    required: tuple[str, ...]  # what the action cannot do without (names beside ids are welcome, not needed)
    check: Callable[..., str | None]  # (tenant, data) -> a reason the user can read, or None
    execute: Callable[..., ExecutionResult]  # (tenant, data), inside the approval's transaction
    describe: Callable[[dict], str]  # one line saying what it does, from its (maybe edited) data
    changes: Callable[..., list[tuple[str, str, str]]]  # (tenant, data) -> (what, now, after) rows
    base_risk: int  # the action type's points in the risk score (tenants may override)
    editable: tuple[Editable, ...] = ()
    publishes_content: bool = False  # approvers see the piece that goes out (hitl.presentation.publication)
    cost: Callable[[dict], Decimal | None] = field(default=lambda data: None)  # extra money over 30 days, if ruled

    def schema(self) -> dict:
        return {"type": "object", "properties": self.properties, "required": list(self.required)}


# --- Reading the data ------------------------------------------------------------------


def row(queryset, raw_id):
    """The row of `queryset` with id `raw_id`, or None (also for an id that is not a UUID)."""
    if not isinstance(raw_id, str):
        return None
    try:
        return queryset.filter(pk=raw_id).first()
    except ValidationError:
        return None


def money(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def text(data: dict, key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def moment(raw) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None


def when(raw) -> str:
    """An ISO time in the active zone (the tenant's, set by tenants.middleware), one format everywhere."""
    value = moment(raw)
    if value is None:
        return str(raw)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt_timezone.utc)
    local = timezone.localtime(value)
    return date_format(local, "DATETIME_FORMAT") + " " + local.strftime("%Z")


# --- Carrying it out (inside the approval's transaction) ------------------------------


def state(instance, *fields) -> dict:
    """The row's id and `fields`, as JSON-safe values."""
    return {"id": str(instance.pk), **{name: _json(getattr(instance, name)) for name in fields}}


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def locked(model, tenant, raw_id, what: str):
    """The tenant's row with id `raw_id`, locked until the caller's transaction ends."""
    instance = row(model.objects.for_tenant(tenant).select_for_update(), raw_id)
    if instance is None:
        raise ExecutionError(f"{what} does not exist in this account")
    return instance


def required_text(data: dict, key: str) -> str:
    value = text(data, key)
    if not value:
        raise ExecutionError(f"The action has no {key}")
    return value


def insert(model, taken: str, **fields):
    """Create the row in a savepoint: losing a uniqueness race raises ExecutionError and leaves the caller's
    transaction usable for recording the failure."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise ExecutionError(taken) from None
