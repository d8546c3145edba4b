"""What Walker knows of one action type, in one place: `ActionSpec`, and the helpers its modules share.

A spec says what the action carries (a JSON schema, used for the LLM tool, the gateway and approver
edits), which agents may propose it, whether it makes sense for the tenant's rows (`check`), how it
reads to approvers (`describe`, `changes`, `names`, `publication`), what it risks (`base_risk`, `cost`),
what an approver may edit, how two proposals compare (`target`, `names`, `context`: hitl.duplicates asks
`target_key` and `comparable`), and how Walker's own ledger carries it out (`execute`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import jsonschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, gettext_noop

from agents.executors.base import ExecutionError, ExecutionResult
from core.sentence import Sentence, Word

TEXT = {"type": "string"}
ID = {"type": "string", "description": "UUID"}
MONEY = {"type": ["string", "number"], "description": 'Decimal amount, best as a string, e.g. "250.00"'}
MOMENT = {"type": "string", "description": "ISO 8601 date-time in UTC"}
MAX_NAME_LENGTH = 200
TARGET_KEY_LENGTH = 200  # hitl.models.HITLApproval.target_key
CENT = Decimal("0.01")
BASE_RISK_MAX = 25  # an action type's points in the risk score go 0..this (hitl.risk's cap for the kind of action)

# A row's state as approvers read it ("active" in English); an unknown state reads as stored.
STATES = {
    "active": Word("a campaign's state", "active"),
    "paused": Word("a campaign's state", "paused"),
    "draft": Word("a content piece's state", "draft"),
    "scheduled": Word("a content piece's state", "scheduled"),
    "published": Word("a content piece's state", "published"),
}


# The fields approvers read (hitl.presentation), by key: an action's data (capitalised, the action details'
# labels) and what an execution recorded (lower case, the before-and-after rows). Translated through this explicit
# list, never by translating whatever key arrives: a key missing here reads as written ("Daily budget").
FIELD_LABELS = {
    "campaign_id": gettext_lazy("Campaign id"),
    "campaign_name": gettext_lazy("Campaign name"),
    "daily_budget": gettext_lazy("Daily budget"),
    "previous_daily_budget": gettext_lazy("Previous daily budget"),
    "currency": gettext_lazy("Currency"),
    "content_id": gettext_lazy("Content id"),
    "title": gettext_lazy("Title"),
    "channel": gettext_lazy("Channel"),
    "scheduled_for": gettext_lazy("Scheduled for"),
    "name": gettext_lazy("Name"),
    "description": gettext_lazy("Description"),
    "based_on_segment_id": gettext_lazy("Based on segment id"),
    "source": gettext_lazy("Source"),
    "lookback_days": gettext_lazy("Lookback days"),
    "keyword": gettext_lazy("Keyword"),
    "body": gettext_lazy("Body"),
    "text": gettext_lazy("Text"),
    "caption": gettext_lazy("Caption"),
    "copy": gettext_lazy("Copy"),
    "content": gettext_lazy("Content"),
    "message": gettext_lazy("Message"),
    "estimated_cost": gettext_lazy("Estimated cost"),
    "estimated_reach": gettext_lazy("Estimated reach"),
    "summary": gettext_lazy("Summary"),
}
STATE_LABELS = {
    "daily_budget": gettext_lazy("daily budget"),
    "status": gettext_lazy("status"),
    "published_at": gettext_lazy("published at"),
    "scheduled_for": gettext_lazy("scheduled for"),
    "name": gettext_lazy("name"),
    "size": gettext_lazy("size"),
    "weekly_growth": gettext_lazy("weekly growth"),
    "description": gettext_lazy("description"),
    "keyword": gettext_lazy("keyword"),
}


def field_label(key: str) -> str:
    """The label of an action data's field, e.g. "Daily budget" for daily_budget, in the active language."""
    return str(FIELD_LABELS.get(key) or key.replace("_", " ").capitalize())


def state_label(key: str) -> str:
    """The label of a recorded field, e.g. "daily budget" for daily_budget, in the active language."""
    return str(STATE_LABELS.get(key) or key.replace("_", " "))


def state_word(value) -> str:
    """A stored state ("paused") in the active language."""
    return str(STATES.get(value, value))


@dataclass(frozen=True)
class Editable:
    """A field of the action's data an approver may change before approving."""

    name: str
    label: str  # lazily translated
    integer: bool = False
    money: bool = False  # an amount of the action's currency: its label names it ("New daily budget (JPY)")
    moment: bool = False  # a time (MOMENT): typed in the tenant's zone, which its label names


def no_cost_rule(data: dict) -> None:
    """No rule of its own: the engine's estimate (or the approver's) stands."""
    return None


def nothing_at_stake(data: dict) -> None:
    """The action takes nothing away from a campaign's results."""
    return None


def no_budget(data: dict) -> None:
    """The action changes no daily budget."""
    return None


@dataclass(frozen=True)
class Target:
    """The row an action changes: actions on the same `kind` of row with equal `fields` conflict."""

    kind: str  # "campaign": a budget change and a pause of one campaign conflict
    fields: tuple[str, ...]  # the data fields naming the row, e.g. ("campaign_id",)


@dataclass(frozen=True)
class Publication:
    """What a content action puts out, for approvers (hitl.presentation.publication)."""

    title: str
    channel: str
    when: str  # in words: a time in the tenant's zone, or "as soon as it is approved"
    status_now: str


@dataclass(frozen=True)
class ActionSpec:
    action_type: str
    label: str  # "Set a campaign's daily budget" (lazily translated)
    agents: frozenset[str]  # the agent types that may propose it
    properties: dict  # JSON schema properties of action_data (an LLM is asked for all of them)
    required: tuple[str, ...]  # what the action cannot do without (names beside ids are welcome, not needed)
    check: Callable[..., str | None]  # (tenant, data) -> a reason the user can read, or None
    execute: Callable[..., ExecutionResult]  # (tenant, data), inside the approval's transaction
    describe: Callable[[dict], str]  # one line saying what it does, from its (maybe edited) data
    changes: Callable[..., list[tuple[str, str, str]]]  # (tenant, data) -> (what, now, after) rows
    base_risk: int  # the action type's points in the risk score (tenants may override)
    editable: tuple[Editable, ...] = ()
    cost: Callable[[dict], Decimal | None] = no_cost_rule  # extra money over 30 days, if ruled
    cost_rule: str = ""  # `cost` in words, for people estimating a cost ("the extra daily budget times 30")
    # The share (0..1) of its campaign's (`campaign_id`) recent results the action puts at stake: 1 for a pause,
    # the cut's share of the budget for a lower one; None when it takes none away (hitl.stakes scores it).
    stake: Callable[[dict], Decimal | None] = nothing_at_stake
    # The daily budget before and after, when the action changes one (hitl: "adds $50.00 a day of spend", and the range
    # a standing approval allows); None when its data does not say both.
    daily_budgets: Callable[[dict], tuple[Decimal, Decimal] | None] = no_budget
    target: Target | None = None  # None: proposals are compared as a whole, never as conflicting
    names: dict[str, str] = field(default_factory=dict)  # id field -> the field naming it for people
    context: tuple[str, ...] = ()  # fields stating how things are now (a previous budget), not what changes
    publication: Callable[..., Publication | None] | None = None  # (tenant, data): the piece that goes out
    complete: Callable[..., dict] | None = None  # (tenant, data) -> data with what the rows add (a currency)

    def schema(self) -> dict:
        return {"type": "object", "properties": self.properties, "required": list(self.required)}

    def args_problem(self, data) -> str | None:
        """Why `data` does not fit the schema, in words; None when it does."""
        try:
            jsonschema.validate(data, self.schema())
        except jsonschema.ValidationError as error:
            return misfit(error)
        return None

    def target_key(self, data: dict) -> str:
        """What the action changes, e.g. "campaign:5b0c…"; "" when it names nothing comparable."""
        values = self._target_values(data)
        return f"{self.target.kind}:{'/'.join(values)}"[:TARGET_KEY_LENGTH] if values else ""

    def comparable(self, data: dict) -> dict:
        """The proposal reduced to what it does: its target and normalised effect.

        Names shown to people (`names`) and the situation it was proposed in (`context`) are left out; money
        is compared in cents, times in UTC, text without surrounding spaces, and a missing field equals an
        empty one. Equal for two proposals that would do the same thing.
        """
        skip = set(self.names.values()) | set(self.context) | set(self.target.fields if self.target else ())
        effect = {}
        for key, value in data.items():
            value = normalised(self.properties.get(key, {}), value)
            if key not in skip and value not in (None, ""):
                effect[key] = value
        return {"target": self._target_values(data), "effect": effect}

    def _target_values(self, data: dict) -> list[str]:
        if self.target is None:
            return []
        values = [data.get(name) for name in self.target.fields]
        if not all(isinstance(value, str) and value.strip() for value in values):
            return []
        return [value.strip().casefold() for value in values]  # ids and names are matched ignoring case


def misfit(error: jsonschema.ValidationError) -> str:
    """A schema's refusal in words, naming the field: "daily_budget: 'x' is not of type 'number'"."""
    where = ".".join(str(part) for part in error.absolute_path)
    return f"{where + ': ' if where else ''}{error.message}"


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


def normalised(schema: dict, value):
    """`value` in one spelling per meaning, by its schema: money "700" and 700.0 both read "700.00"."""
    if schema == MONEY:
        amount = money(value)
        try:
            return str(amount.quantize(CENT)) if amount is not None else value  # cents, as executors store
        except InvalidOperation:  # too many digits to quantize: it fails validation anyway
            return str(amount)
    if schema == MOMENT:
        at = moment(value)
        return at.astimezone(UTC).isoformat() if at is not None and not timezone.is_naive(at) else value
    if schema.get("type") == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


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
        value = timezone.make_aware(value, UTC)
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


def locked(model, tenant, raw_id, missing: str | Sentence):
    """The tenant's row with id `raw_id`, locked until the caller's transaction ends (else ExecutionError(missing))."""
    instance = row(model.objects.for_tenant(tenant).select_for_update(), raw_id)
    if instance is None:
        raise ExecutionError(missing)
    return instance


def required_text(data: dict, key: str) -> str:
    value = text(data, key)
    if not value:
        raise ExecutionError(Sentence(gettext_noop("The action has no %(field)s"), field=key))
    return value


def insert(model, taken: str | Sentence, **fields):
    """Create the row in a savepoint: losing a uniqueness race raises ExecutionError and leaves the caller's
    transaction usable for recording the failure."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise ExecutionError(taken) from None
