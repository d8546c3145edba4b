"""Workflow rules: which workflow governs an action, who may approve at each level, automatic conditions.

Everything read from a workflow is validated here. A workflow or condition
that cannot be read fails closed: the action waits for human review under the
built-in default workflow and nothing is ever approved because of it.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.db.models import Q

from hitl.models import HITLWorkflow, RiskLevel
from tenants.models import User
from tenants.roles import Role

SYSTEM_DEFAULT_WORKFLOW = {
    "name": "Walker default",
    "approval_levels": [
        {"name": "Approvers", "approvers": {"roles": [Role.APPROVER, Role.ADMIN]}, "required_approvals": 1}
    ],
    "parallel_approval": True,
    "unanimous_required": False,
    "sla_hours": 24,
    "escalation_hours": 12,
    "auto_approve_hours": None,
    "expire_hours": 72,
    "notification_channels": ["email", "in_app"],
    "reminder_frequency_hours": 4,
    "max_reminders": 3,
    "auto_approve_conditions": [],
    "auto_reject_conditions": [],
}

CONDITION_FIELDS = {
    "risk_level": str,
    "risk_score": float,
    "estimated_cost": float,
    "estimated_reach": float,
    "action_type": str,
    "agent_type": str,
    "confidence": float,
}
_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


class InvalidRule(ValueError):
    """A workflow setting that cannot be read."""


# --- conditions ----------------------------------------------------------------------


def _clause(raw) -> tuple[str, str, object]:
    if not isinstance(raw, dict) or set(raw) != {"field", "op", "value"}:
        raise InvalidRule(f"a condition must be {{field, op, value}}, got {raw!r}")
    field, op, value = raw["field"], raw["op"], raw["value"]
    if field not in CONDITION_FIELDS:
        raise InvalidRule(f"unknown condition field {field!r}")
    if op not in _COMPARE:
        raise InvalidRule(f"unknown condition operator {op!r}")
    kind = CONDITION_FIELDS[field]
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not isinstance(value, list):
        raise InvalidRule(f"{op} needs a list, got {value!r}")
    for item in values:
        if kind is float and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise InvalidRule(f"{field} compares with numbers, got {item!r}")
        if kind is str and not isinstance(item, str):
            raise InvalidRule(f"{field} compares with text, got {item!r}")
    if kind is str and op in ("lt", "lte", "gt", "gte"):
        raise InvalidRule(f"{field} cannot be compared with {op}")
    return field, op, value


def parse_conditions(raw) -> list[tuple[str, str, object]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise InvalidRule(f"conditions must be a list, got {type(raw).__name__}")
    return [_clause(item) for item in raw]


def conditions_hold(clauses, facts: dict) -> bool:
    """All clauses hold for `facts`. No clauses never holds: an empty rule is no rule."""
    return bool(clauses) and all(_COMPARE[op](facts[field], value) for field, op, value in clauses)


# --- levels ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    name: str
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    users: tuple[str, ...]  # user ids or emails
    required_approvals: int


def _strings(value, what) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidRule(f"{what} must be a list of names")
    return tuple(value)


def parse_levels(raw) -> list[Level]:
    if not isinstance(raw, list) or not raw:
        raise InvalidRule("approval_levels must be a non-empty list")
    levels = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("approvers"), dict):
            raise InvalidRule(f"level {number} needs an approvers object")
        approvers = item["approvers"]
        roles = _strings(approvers.get("roles"), f"level {number} roles")
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise InvalidRule(f"level {number} names unknown roles {sorted(unknown)}")
        required = item.get("required_approvals", 1)
        if isinstance(required, bool) or not isinstance(required, int) or required < 1:
            raise InvalidRule(f"level {number} required_approvals must be a whole number of at least 1")
        level = Level(
            name=str(item.get("name") or f"Level {number}"),
            roles=roles,
            groups=_strings(approvers.get("groups"), f"level {number} groups"),
            users=_strings(approvers.get("users"), f"level {number} users"),
            required_approvals=required,
        )
        if not (level.roles or level.groups or level.users):
            raise InvalidRule(f"level {number} names no approvers")
        levels.append(level)
    return levels


def eligible_approvers(tenant, level: Level, *, extra_user_ids=()):
    """Active people of the tenant who may decide at `level` (requesters are excluded by the caller)."""
    ids = [u for u in level.users if "@" not in u]
    emails = [u.lower() for u in level.users if "@" in u]
    match = Q(role__in=level.roles) | Q(groups__name__in=level.groups) | Q(email__in=emails) | Q(pk__in=extra_user_ids)
    if ids:
        match |= Q(pk__in=_valid_uuids(ids))
    return User.objects.filter(tenant=tenant, is_active=True).filter(match).distinct()


def _valid_uuids(values):
    valid = []
    for value in values:
        try:
            valid.append(UUID(value))
        except ValueError:
            continue
    return valid


# --- workflows -------------------------------------------------------------------------


def _positive_int_or_none(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRule(f"{what} must be a whole number of hours of at least 1")
    return value


def snapshot(workflow: HITLWorkflow) -> dict:
    """The workflow's rules as the approval will follow them; raises InvalidRule if any is unreadable."""
    parse_levels(workflow.approval_levels)
    parse_conditions(workflow.auto_approve_conditions)
    parse_conditions(workflow.auto_reject_conditions)
    channels = workflow.notification_channels or []
    if not isinstance(channels, list):
        raise InvalidRule("notification_channels must be a list")
    return {
        "name": workflow.name,
        "approval_levels": workflow.approval_levels,
        "parallel_approval": workflow.parallel_approval,
        "unanimous_required": workflow.unanimous_required,
        "sla_hours": _positive_int_or_none(workflow.sla_hours, "sla_hours") or 24,
        "escalation_hours": _positive_int_or_none(workflow.escalation_hours, "escalation_hours"),
        "auto_approve_hours": _positive_int_or_none(workflow.auto_approve_hours, "auto_approve_hours"),
        "expire_hours": _positive_int_or_none(workflow.expire_hours, "expire_hours") or 72,
        "notification_channels": channels,
        "reminder_frequency_hours": _positive_int_or_none(
            workflow.reminder_frequency_hours, "reminder_frequency_hours"
        ),
        "max_reminders": workflow.max_reminders,
        "auto_approve_conditions": workflow.auto_approve_conditions or [],
        "auto_reject_conditions": workflow.auto_reject_conditions or [],
    }


def _matches(workflow: HITLWorkflow, *, action_type: str, risk_level: str, cost: Decimal) -> int | None:
    """How specific the match is (more filters set = more specific), or None when it does not match."""
    types, levels = workflow.action_types or [], workflow.risk_levels or []
    if not isinstance(types, list) or not isinstance(levels, list):
        return None  # unreadable filters never match
    if types and action_type not in types:
        return None
    if levels and risk_level not in levels:
        return None
    try:
        if workflow.min_cost_threshold is not None and cost < Decimal(workflow.min_cost_threshold):
            return None
        if workflow.max_cost_threshold is not None and cost > Decimal(workflow.max_cost_threshold):
            return None
    except InvalidOperation:
        return None
    return sum(
        [bool(types), bool(levels), workflow.min_cost_threshold is not None, workflow.max_cost_threshold is not None]
    )


@dataclass
class WorkflowChoice:
    workflow: HITLWorkflow | None  # None: the built-in default
    rules: dict
    problems: list[str]  # unreadable workflows passed over, for the approval's compliance flags


def choose_workflow(tenant, *, action_type: str, risk_level: str, cost: Decimal) -> WorkflowChoice:
    """The most specific matching active workflow, else the tenant default, else the built-in default.

    An unreadable workflow is never followed: the built-in default (human review) applies instead,
    and the approval records why.
    """
    candidates, default = [], None
    for workflow in HITLWorkflow.objects.filter(tenant=tenant, is_active=True).order_by("created_at"):
        if workflow.is_default:
            default = default or workflow
            continue
        specificity = _matches(workflow, action_type=action_type, risk_level=risk_level, cost=cost)
        if specificity is not None:
            narrowness = len(workflow.action_types or []) + len(workflow.risk_levels or [])
            candidates.append((-specificity, narrowness, workflow.created_at, workflow))
    if candidates:
        chosen = min(candidates, key=lambda item: item[:3])[-1]
    else:
        chosen = default
    if chosen is None:
        return WorkflowChoice(None, dict(SYSTEM_DEFAULT_WORKFLOW), [])
    try:
        return WorkflowChoice(chosen, snapshot(chosen), [])
    except InvalidRule as err:
        problem = f"workflow “{chosen.name}” is unreadable ({err}); human review under the default rules"
        return WorkflowChoice(None, dict(SYSTEM_DEFAULT_WORKFLOW), [problem])


def is_critical(risk_level: str) -> bool:
    return risk_level == RiskLevel.CRITICAL
