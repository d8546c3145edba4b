"""Workflow rules: which workflow governs an action, who may approve at each level, automatic conditions.

Every JSON setting read from a workflow is validated here (its levels are rows, checked by their model:
hitl.models.level). A workflow or condition that cannot be read, or a workflow left without levels, fails
closed: the action waits for human review under the built-in default workflow and nothing is ever approved
because of it.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.conf import settings
from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.actions import ActionType
from core import currencies
from core.sentence import Word
from hitl.models import HITLWorkflow, RiskLevel
from hitl.models.level import levels_count_error
from hitl.models.workflow import MAX_HOURS, MAX_REMINDERS
from tenants.models import User
from tenants.roles import Role

log = logging.getLogger(__name__)

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

# The built-in workflow's own names are stored in English (the approval's snapshot, its history) and told in the
# reader's language; a tenant's own names are its own words, shown as written.
BUILT_IN_NAMES = {
    "Walker default": Word("workflow", "Walker default"),
    "Approvers": Word("approval level", "Approvers"),
}


def told_name(name: str) -> "str | Word":
    """A workflow's or a level's name as its reader reads it: the built-in's in their language, any other as written."""
    return BUILT_IN_NAMES.get(name, name)


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
    """A workflow setting that cannot be read, in the words of the active language (the reader's, in the console
    and the API)."""


# --- conditions ----------------------------------------------------------------------


def _clause(raw) -> tuple[str, str, object]:
    if not isinstance(raw, dict) or set(raw) != {"field", "op", "value"}:
        raise InvalidRule(_("A condition must be {field, op, value}, not %(got)s.") % {"got": repr(raw)})
    field, op, value = raw["field"], raw["op"], raw["value"]
    if field not in CONDITION_FIELDS:
        raise InvalidRule(_("Unknown condition field %(field)s.") % {"field": repr(field)})
    if op not in _COMPARE:
        raise InvalidRule(_("Unknown condition operator %(op)s.") % {"op": repr(op)})
    kind = CONDITION_FIELDS[field]
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not isinstance(value, list):
        raise InvalidRule(_("%(op)s needs a list, not %(got)s.") % {"op": op, "got": repr(value)})
    for item in values:
        if kind is float and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise InvalidRule(_("%(field)s compares with numbers, not %(got)s.") % {"field": field, "got": repr(item)})
        if kind is str and not isinstance(item, str):
            raise InvalidRule(_("%(field)s compares with text, not %(got)s.") % {"field": field, "got": repr(item)})
    if kind is str and op in ("lt", "lte", "gt", "gte"):
        raise InvalidRule(_("%(field)s cannot be compared with %(op)s.") % {"field": field, "op": op})
    return field, op, value


def parse_conditions(raw) -> list[tuple[str, str, object]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise InvalidRule(_("Conditions must be a list, not %(got)s.") % {"got": type(raw).__name__})
    if len(raw) > MAX_CONDITIONS:
        raise InvalidRule(_("At most %(count)s conditions.") % {"count": MAX_CONDITIONS})
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
    users: tuple[str, ...]  # user ids (snapshots taken before the levels were rows may hold emails)
    required_approvals: int


def parse_levels(raw) -> list[Level]:
    """An approval's snapshot of its levels (`WorkflowLevel.as_rule`, or the built-in default's) as the engine
    reads them; the rows were checked when they were written."""
    levels = []
    for number, item in enumerate(raw, start=1):
        approvers = item.get("approvers") or {}
        levels.append(
            Level(
                name=item.get("name") or f"Level {number}",
                roles=tuple(approvers.get("roles") or ()),
                groups=tuple(approvers.get("groups") or ()),
                users=tuple(approvers.get("users") or ()),
                required_approvals=item.get("required_approvals", 1),
            )
        )
    return levels


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
    "sla_hours": gettext_lazy("Decide within (SLA)"), "escalation_hours": gettext_lazy("Escalate after"),
    "auto_approve_hours": gettext_lazy("Approve automatically after"), "expire_hours": gettext_lazy("Expire after"),
    "reminder_frequency_hours": gettext_lazy("Remind every"), "max_reminders": gettext_lazy("Reminders at most"),
    "action_types": gettext_lazy("Action types"), "risk_levels": gettext_lazy("Risk levels"),
    "notification_channels": gettext_lazy("Notification channels"),
}  # fmt: skip


def _positive_int_or_none(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise InvalidRule(
            _("%(setting)s must be a whole number of hours from 1 to %(most)s.")
            % {"setting": SETTING_WORDS.get(what, what), "most": MAX_HOURS}
        )
    return value


def _choices(value, allowed, what) -> list[str]:
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRule(_("%(setting)s must be a list of names.") % {"setting": SETTING_WORDS.get(what, what)})
    unknown = set(value) - set(allowed)
    if unknown:
        raise InvalidRule(
            _("%(setting)s: unknown %(names)s.")
            % {"setting": SETTING_WORDS.get(what, what), "names": ", ".join(sorted(unknown))}
        )
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
        raise InvalidRule(
            _("%(setting)s must be a whole number from 0 to %(most)s.")
            % {"setting": SETTING_WORDS["max_reminders"], "most": MAX_REMINDERS}
        )
    return value


HOUR_FIELDS = ("sla_hours", "escalation_hours", "auto_approve_hours", "expire_hours", "reminder_frequency_hours")

# Every workflow setting the engine reads, with its parser: the forms refuse and the engine passes over the same things.
WORKFLOW_FIELD_PARSERS = {
    "action_types": lambda value: parse_choices(value, "action_types"),
    "risk_levels": lambda value: parse_choices(value, "risk_levels"),
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
    Beyond what the engine could not read: cost thresholds the wrong way round and a second active default
    workflow. The levels are rows, checked by their own model (hitl.models.level).
    """

    def setting(name, default):
        return data[name] if name in data else getattr(instance, name, default)

    errors = field_errors(data)
    low, high = setting("min_cost_threshold", None), setting("max_cost_threshold", None)
    if low is not None and high is not None and low > high:
        errors["max_cost_threshold"] = _("Must be at least the minimum cost.")
    if tenant is not None and setting("is_default", False) and setting("is_active", True):
        others = HITLWorkflow.objects.filter(tenant=tenant, is_default=True, is_active=True)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            errors["is_default"] = _("This tenant already has an active default workflow.")
    return errors


def snapshot(workflow: HITLWorkflow) -> dict:
    """The workflow's rules as the approval will follow them, its levels' rows included: JSON the approval keeps
    whatever later becomes of the workflow. Raises InvalidRule if any is unreadable, or it has no level."""
    errors = field_errors({field: getattr(workflow, field) for field in WORKFLOW_FIELD_PARSERS})
    if errors:
        raise InvalidRule(next(iter(errors.values())))
    prefetch_related_objects([workflow], "levels__users", "levels__groups")  # none when the caller prefetched
    levels = [level.as_rule() for level in workflow.levels.all()]
    if problem := levels_count_error(len(levels)):
        raise InvalidRule(problem)
    return {
        "name": workflow.name,
        "approval_levels": levels,
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
        raise InvalidRule(_("The cost thresholds are not numbers.")) from None
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
