"""Workflow rules: which workflow governs an action, who may approve at each level, automatic conditions.

Everything read from a workflow is validated here. A workflow or condition
that cannot be read fails closed: the action waits for human review under the
built-in default workflow and nothing is ever approved because of it.
"""

import difflib
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext

from agents.actions import ActionType
from core import currencies
from hitl.models import HITLWorkflow, RiskLevel
from hitl.models.workflow import MAX_HOURS, MAX_REMINDERS
from tenants.models import User
from tenants.roles import STAFF_ROLES, Role

log = logging.getLogger(__name__)

MAX_LEVELS = 10
LEVEL_KEYS = frozenset({"name", "approvers", "required_approvals"})  # what `parse_level` reads, and nothing else
APPROVER_KEYS = frozenset({"roles", "groups", "users"})
MAX_REQUIRED_APPROVALS = 100  # also what HITLApproval.required_approvals must hold
MAX_NAMES = 100  # entries in one level's roles, groups or users
MAX_CONDITIONS = 20
NOTIFICATION_CHANNELS = ("email", "in_app", "slack", "whatsapp")

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
    if len(raw) > MAX_CONDITIONS:
        raise InvalidRule(f"at most {MAX_CONDITIONS} conditions")
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
    if len(value) > MAX_NAMES:
        raise InvalidRule(f"{what} may name at most {MAX_NAMES}")
    return tuple(value)


def _person_ids(value, what) -> tuple[str, ...]:
    """A level's users: each a user id (UUID) or an email address."""
    people = _strings(value, what)
    for person in people:
        try:
            validate_email(person) if "@" in person else UUID(person)
        except (ValueError, ValidationError):
            raise InvalidRule(f"{what}: {person!r} is neither a user id nor an email address") from None
    return people


def parse_level(item, number: int) -> Level:
    """Level `number` (from 1) as the engine reads it; raises InvalidRule naming the level."""
    if not isinstance(item, dict) or not isinstance(item.get("approvers"), dict):
        raise InvalidRule(gettext("Level %(number)s needs an approvers object.") % {"number": number})
    approvers = item["approvers"]
    roles = _strings(approvers.get("roles"), f"level {number} roles")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise InvalidRule(
            gettext("Level %(number)s names unknown roles: %(roles)s.")
            % {"number": number, "roles": ", ".join(sorted(unknown))}
        )
    required = item.get("required_approvals", 1)
    if isinstance(required, bool) or not isinstance(required, int) or not 1 <= required <= MAX_REQUIRED_APPROVALS:
        raise InvalidRule(
            gettext("Level %(number)s: the approvals needed must be a whole number from 1 to %(most)s.")
            % {"number": number, "most": MAX_REQUIRED_APPROVALS}
        )
    name = item.get("name")
    if name is not None and not (isinstance(name, str) and len(name) <= 200):
        raise InvalidRule(f"level {number} name must be text of at most 200 characters")
    level = Level(
        name=name or f"Level {number}",
        roles=roles,
        groups=_strings(approvers.get("groups"), f"level {number} groups"),
        users=_person_ids(approvers.get("users"), f"level {number} users"),
        required_approvals=required,
    )
    if not (level.roles or level.groups or level.users):
        raise InvalidRule(
            gettext("Level %(number)s names no approvers: tick a role, or pick people or a group.") % {"number": number}
        )
    return level


def _level_count(raw) -> None:
    if not isinstance(raw, list) or not raw:
        raise InvalidRule(gettext("Add at least one approval level."))
    if len(raw) > MAX_LEVELS:
        raise InvalidRule(gettext("A workflow has at most %(most)s approval levels.") % {"most": MAX_LEVELS})


def parse_levels(raw) -> list[Level]:
    _level_count(raw)
    return [parse_level(item, number) for number, item in enumerate(raw, start=1)]


def level_errors(raw, *, tenant) -> list[str]:
    """Why levels being written (by the admin's form or the API) are refused, every level's reasons in order.

    Beyond what the engine could not read (`parse_level`): the approvers must be able to open the console to
    decide, so no role without it (members) and only active people of `tenant` who have it. Stored levels
    are not held to these: the engine still follows a level whose person has since left.
    """
    try:
        _level_count(raw)
    except InvalidRule as err:
        return [str(err)]
    errors = []
    for number, item in enumerate(raw, start=1):
        errors += _unknown_keys(item, number)
        try:
            level = parse_level(item, number)
        except InvalidRule as err:
            errors.append(str(err))
            continue
        outside = [role for role in level.roles if role not in STAFF_ROLES]
        if outside:
            names = ", ".join(str(Role(role).label) for role in outside)
            errors.append(
                gettext("Level %(number)s: %(roles)s cannot open the console, so cannot decide; pick another role.")
                % {"number": number, "roles": names}
            )
        if tenant is None:
            continue
        unknown, without_console = _named_people_problems(tenant, level)
        if unknown:
            errors.append(
                gettext("Level %(number)s: these name no active person of the tenant: %(people)s.")
                % {"number": number, "people": ", ".join(unknown)}
            )
        if without_console:
            errors.append(
                gettext("Level %(number)s: these people cannot open the console, so cannot decide: %(people)s.")
                % {"number": number, "people": ", ".join(without_console)}
            )
    return errors


def _unknown_keys(item, number: int) -> list[str]:
    """A level's keys the engine does not read, named (a misspelt `required` would otherwise run with one approval)."""
    if not isinstance(item, dict):
        return []
    found = [(None, sorted(set(item) - LEVEL_KEYS), LEVEL_KEYS)]
    if isinstance(item.get("approvers"), dict):
        found.append(("approvers", sorted(set(item["approvers"]) - APPROVER_KEYS), APPROVER_KEYS))
    errors = []
    for within, unknown, known in found:
        if not unknown:
            continue
        named = ", ".join(f"“{key}”" for key in unknown)
        if len(unknown) == 1 and (close := difflib.get_close_matches(str(unknown[0]), sorted(known), n=1)):
            error = (
                gettext("Level %(number)s: unknown setting %(keys)s (did you mean “%(known)s”?).")
                if within is None
                else gettext("Level %(number)s: unknown approvers setting %(keys)s (did you mean “%(known)s”?).")
            ) % {"number": number, "keys": named, "known": close[0]}
        else:
            error = (
                gettext("Level %(number)s: unknown settings %(keys)s.")
                if within is None
                else gettext("Level %(number)s: unknown approvers settings %(keys)s.")
            ) % {"number": number, "keys": named}
        errors.append(error)
    return errors


def _named_people_problems(tenant, level: Level) -> tuple[list[str], list[str]]:
    """The level's users (ids or emails) that name no active person of the tenant, and those naming someone
    whose role cannot open the console."""
    if not level.users:
        return [], []
    ids = {str(pk) for pk in valid_uuids([p for p in level.users if "@" not in p])}
    emails = {p.lower() for p in level.users if "@" in p}
    rows = User.objects.filter(tenant=tenant, is_active=True).filter(Q(pk__in=ids) | Q(email__in=emails))
    console = {}
    for pk, email, role in rows.values_list("pk", "email", "role"):
        console[str(pk)] = console[email.lower()] = role in STAFF_ROLES
    keys = {person: person.lower() if "@" in person else str(UUID(person)) for person in level.users}
    unknown = sorted(person for person, key in keys.items() if key not in console)
    without_console = sorted(person for person, key in keys.items() if console.get(key) is False)
    return unknown, without_console


def eligible_approvers(tenant, level: Level, *, extra_user_ids=()):
    """Active people of the tenant who may decide at `level` (requesters are excluded by the caller)."""
    ids = [u for u in level.users if "@" not in u]
    emails = [u.lower() for u in level.users if "@" in u]
    match = Q(role__in=level.roles) | Q(groups__name__in=level.groups) | Q(email__in=emails) | Q(pk__in=extra_user_ids)
    if ids:
        match |= Q(pk__in=valid_uuids(ids))
    return User.objects.filter(tenant=tenant, is_active=True).filter(match).distinct()


def valid_uuids(values):
    valid = []
    for value in values:
        try:
            valid.append(UUID(value))
        except ValueError:
            continue
    return valid


# --- workflows -------------------------------------------------------------------------


# Each setting in the words of the workflow form, for the reasons a setting is refused.
SETTING_WORDS = {
    "sla_hours": "Decide within (SLA)", "escalation_hours": "Escalate after",
    "auto_approve_hours": "Approve automatically after", "expire_hours": "Expire after",
    "reminder_frequency_hours": "Remind every", "max_reminders": "Reminders at most",
    "action_types": "Action types", "risk_levels": "Risk levels", "notification_channels": "Notification channels",
}  # fmt: skip


def _positive_int_or_none(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise InvalidRule(f"{SETTING_WORDS.get(what, what)} must be a whole number of hours from 1 to {MAX_HOURS}")
    return value


def _choices(value, allowed, what) -> list[str]:
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRule(f"{SETTING_WORDS.get(what, what)} must be a list of names")
    unknown = set(value) - set(allowed)
    if unknown:
        raise InvalidRule(f"{SETTING_WORDS.get(what, what)}: unknown {', '.join(sorted(unknown))}")
    return value


FILTER_CHOICES = {"action_types": ActionType.values, "risk_levels": RiskLevel.values}


def parse_choices(value, what: str) -> list[str]:
    """A workflow filter: a list of action types or of risk levels (empty: any)."""
    return _choices(value, FILTER_CHOICES[what], what)


def parse_filters(workflow: HITLWorkflow) -> tuple[list[str], list[str]]:
    """The action types and risk levels a workflow applies to (empty: any)."""
    return parse_choices(workflow.action_types, "action_types"), parse_choices(workflow.risk_levels, "risk_levels")


def parse_channels(value) -> list[str]:
    return _choices(value, NOTIFICATION_CHANNELS, "notification_channels")


def _hours(what):
    return lambda value: _positive_int_or_none(value, what)


def parse_max_reminders(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REMINDERS:
        raise InvalidRule(f"Reminders at most must be a whole number from 0 to {MAX_REMINDERS}")
    return value


HOUR_FIELDS = ("sla_hours", "escalation_hours", "auto_approve_hours", "expire_hours", "reminder_frequency_hours")

# Every workflow setting the engine reads, with its parser: the forms refuse and the engine passes over the same things.
WORKFLOW_FIELD_PARSERS = {
    "action_types": lambda value: parse_choices(value, "action_types"),
    "risk_levels": lambda value: parse_choices(value, "risk_levels"),
    "approval_levels": parse_levels,
    **{field: _hours(field) for field in HOUR_FIELDS},
    "max_reminders": parse_max_reminders,
    "notification_channels": parse_channels,
    "auto_approve_conditions": parse_conditions,
    "auto_reject_conditions": parse_conditions,
}


def field_errors(data: dict) -> dict[str, str]:
    """Each given setting the engine could not read, and why."""
    errors = {}
    for field, parse in WORKFLOW_FIELD_PARSERS.items():
        if field in data:
            try:
                parse(data[field])
            except InvalidRule as err:
                errors[field] = str(err)
    return errors


def workflow_errors(data: dict, *, tenant, instance: HITLWorkflow | None = None) -> dict[str, str | list[str]]:
    """What a form writing a workflow (the admin's, the API's) must refuse, by field name.

    `data` holds the settings being written; any other is read from `instance` (None when adding).
    Beyond what the engine could not read: cost thresholds the wrong way round, levels whose approvers
    cannot decide (`level_errors`, a list of reasons), and a second active default workflow.
    """

    def setting(name, default):
        return data[name] if name in data else getattr(instance, name, default)

    errors = field_errors(data)
    low, high = setting("min_cost_threshold", None), setting("max_cost_threshold", None)
    if low is not None and high is not None and low > high:
        errors["max_cost_threshold"] = "Must be at least the minimum cost."
    if "approval_levels" in data:  # every level's reasons, not only the engine's first
        errors.pop("approval_levels", None)
        if problems := level_errors(data["approval_levels"], tenant=tenant):
            errors["approval_levels"] = problems
    if tenant is not None and setting("is_default", False) and setting("is_active", True):
        others = HITLWorkflow.objects.filter(tenant=tenant, is_default=True, is_active=True)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            errors["is_default"] = "This tenant already has an active default workflow."
    return errors


def snapshot(workflow: HITLWorkflow) -> dict:
    """The workflow's rules as the approval will follow them; raises InvalidRule if any is unreadable."""
    errors = field_errors({field: getattr(workflow, field) for field in WORKFLOW_FIELD_PARSERS})
    if errors:
        raise InvalidRule(next(iter(errors.values())))
    return {
        "name": workflow.name,
        "approval_levels": workflow.approval_levels,
        "parallel_approval": workflow.parallel_approval,
        "unanimous_required": workflow.unanimous_required,
        "sla_hours": workflow.sla_hours or 24,
        "escalation_hours": workflow.escalation_hours,
        "auto_approve_hours": workflow.auto_approve_hours,
        "expire_hours": workflow.expire_hours or 72,
        "notification_channels": workflow.notification_channels or [],
        "reminder_frequency_hours": workflow.reminder_frequency_hours,
        "max_reminders": workflow.max_reminders,
        "auto_approve_conditions": workflow.auto_approve_conditions or [],
        "auto_reject_conditions": workflow.auto_reject_conditions or [],
    }


def _matches(workflow: HITLWorkflow, *, action_type: str, risk_level: str, cost: Decimal | None) -> int | None:
    """How specific the match is (more filters set = more specific), or None when it does not match. `cost` is in
    dollars, as the thresholds are; None: a currency without a dollar rate, taken as larger than any threshold.

    Raises InvalidRule when the filters cannot be read.
    """
    types, levels = parse_filters(workflow)
    if types and action_type not in types:
        return None
    if levels and risk_level not in levels:
        return None
    try:
        if workflow.min_cost_threshold is not None and cost is not None and cost < Decimal(workflow.min_cost_threshold):
            return None
        if workflow.max_cost_threshold is not None and (cost is None or cost > Decimal(workflow.max_cost_threshold)):
            return None
    except InvalidOperation:
        raise InvalidRule("the cost thresholds are not numbers") from None
    return sum(
        [bool(types), bool(levels), workflow.min_cost_threshold is not None, workflow.max_cost_threshold is not None]
    )


@dataclass
class WorkflowChoice:
    workflow: HITLWorkflow | None  # None: the built-in default
    rules: dict
    problems: list[str]  # unreadable workflows passed over, for the approval's compliance flags


def choose_workflow(
    tenant, *, action_type: str, risk_level: str, cost: Decimal, currency: str = "USD"
) -> WorkflowChoice:
    """The most specific matching active workflow, else the tenant default, else the built-in default. The cost
    thresholds are in dollars: `cost` of `currency` is compared through RISK_DOLLAR_RATES, as the risk score is.

    An unreadable workflow is never followed: the built-in default (human review) applies instead,
    and the approval records why. So does one whose filters cannot be read, since it might have been the match.
    """
    candidates, problems, default = [], [], None
    dollars = currencies.in_dollars(cost, currency, settings.RISK_DOLLAR_RATES)
    for workflow in HITLWorkflow.objects.filter(tenant=tenant, is_active=True).order_by("created_at"):
        if workflow.is_default:  # read with the others: one query
            default = default or workflow
            continue
        try:
            specificity = _matches(workflow, action_type=action_type, risk_level=risk_level, cost=dollars)
        except InvalidRule as err:
            problems.append(_unreadable(workflow, err))
            continue
        if specificity is not None:
            narrowness = len(workflow.action_types or []) + len(workflow.risk_levels or [])
            candidates.append((-specificity, narrowness, workflow.created_at, workflow))
    if problems:
        return _fail_closed(tenant, problems)
    chosen = min(candidates, key=lambda item: item[:3])[-1] if candidates else default
    if chosen is None:
        return WorkflowChoice(None, dict(SYSTEM_DEFAULT_WORKFLOW), [])
    try:
        return WorkflowChoice(chosen, snapshot(chosen), [])
    except InvalidRule as err:
        return _fail_closed(tenant, [_unreadable(chosen, err)])


def _unreadable(workflow: HITLWorkflow, err: InvalidRule) -> str:
    return f"workflow “{workflow.name}” is unreadable ({err}); human review under the default rules"


def _fail_closed(tenant, problems: list[str]) -> WorkflowChoice:
    """Human review under the built-in rules; the problems go on the approval and into the log for admins."""
    for problem in problems:
        log.warning("Tenant %s: %s", tenant.pk, problem)
    return WorkflowChoice(None, dict(SYSTEM_DEFAULT_WORKFLOW), problems)


def workflow_problems(workflow: HITLWorkflow) -> str:
    """Why the engine would pass over this workflow, or "" when it would follow it (for the admin list)."""
    try:
        snapshot(workflow)
    except InvalidRule as err:
        return str(err)
    return ""


def is_critical(risk_level: str) -> bool:
    return risk_level == RiskLevel.CRITICAL
