"""Edits while approving: an approver changes the action before approving it. The edit is checked like a new
request, scored again, and a riskier action starts again under the workflow its risk calls for."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from agents import action_specs
from agents.tenant_actions.registry import TenantActionSpec, spec_for
from core import currencies
from core.sentence import Sentence
from hitl import duplicates, rules
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import RiskLevel
from hitl.notifying import told
from hitl.notifying.announce import announce
from hitl.notifying.approvers import Notice, notify
from hitl.risk import RiskAssessment, assess, priority_for
from hitl.services.conflicts import AlreadyWaiting, Superseded, supersede_waiting, tell_superseded
from hitl.services.levels import assign_level
from hitl.services.timing import deadlines
from hitl.summaries import SUMMARY_LENGTH
from tenants.input_text import UnreadableInput, check_value

RISK_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.CRITICAL: 3}
EDITABLE = {"action_data", "estimated_cost", "estimated_reach", "summary"}
MAX_COST = Decimal("999999999999.99")  # what HITLApproval.estimated_cost holds (14 digits, 2 after the point)
MAX_REACH = 2**31 - 1  # what HITLApproval.estimated_reach holds
EDIT_ATTEMPTS = 3  # an edited request met by concurrent requests for its target looks again, this many times


@dataclass(frozen=True)
class Edit:
    """What an approver changed before approving, as the requester is told it: `{field: [before, after]}`."""

    changes: dict
    rerouted: bool  # riskier as edited: it started again under the workflow that risk calls for (told then)


def _decimal(value, field, *, ceiling=MAX_COST) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise DecisionError("invalid_edit", f"{field} must be a number.")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DecisionError("invalid_edit", f"{field} must be a number.") from None
    if not number.is_finite() or number < 0:
        raise DecisionError("invalid_edit", f"{field} must be zero or more.")
    if number > ceiling:
        raise DecisionError("invalid_edit", f"{field} must be at most {ceiling:,}.")
    return number.quantize(Decimal("0.01"))  # cents, as the cost column stores it


def _checked_shape(edits) -> tuple[dict, str | None]:
    """The action_data changes and the new summary, or DecisionError when an edit has the wrong shape."""
    if not isinstance(edits, dict) or not edits:
        raise DecisionError("invalid_edit", "Give the fields to change.")
    try:
        check_value(edits)
    except UnreadableInput as err:
        raise DecisionError("invalid_edit", str(err)) from None
    data_edits = edits.get("action_data", {})
    if not isinstance(data_edits, dict):
        raise DecisionError("invalid_edit", "action_data must be an object.")
    summary = edits.get("summary")
    if summary is not None and not (isinstance(summary, str) and 0 < len(summary.strip()) <= SUMMARY_LENGTH):
        raise DecisionError("invalid_edit", f"summary must be text of 1 to {SUMMARY_LENGTH} characters.")
    return data_edits, summary.strip() if summary else None


def _edited_cost(spec, approval, new_data, edits) -> Decimal:
    """The approver's figure if given, else the action type's cost rule on the edited data, else the estimate."""
    if "estimated_cost" in edits:
        return _decimal(edits["estimated_cost"], "estimated_cost")
    ruled = spec.cost(new_data) if edits.get("action_data") else None
    return approval.estimated_cost if ruled is None else _decimal(ruled, "estimated_cost")


@dataclass(frozen=True)
class Edited:
    """The action as an edit would make it, checked and scored, nothing saved."""

    data_edits: dict
    summary: str | None
    data: dict
    cost: Decimal
    reach: int
    risk: RiskAssessment


def score_edits(approval, edits) -> Edited:
    """Check `edits` to the approval's action like a new request and score the result, saving nothing: what the
    step-up gate judges before deciding (hitl.services.step_up) and what `apply_edits` then saves.

    The action type never changes.
    """
    data_edits, summary = _checked_shape(edits)
    if "action_type" in edits or "action_type" in data_edits:
        raise DecisionError("action_type_locked", "An edit cannot change the kind of action.")
    unknown = set(edits) - EDITABLE
    if unknown:
        raise DecisionError("invalid_edit", f"These cannot be edited: {', '.join(sorted(unknown))}.")
    new_data = {**approval.action_data, **data_edits}
    spec = spec_for(approval.action_type, approval.tenant)
    if spec is None:
        raise DecisionError("invalid_edit", f"Walker does not know “{approval.action_type}” actions; decide as is.")
    registered = isinstance(spec, TenantActionSpec)
    if registered and (locked := set(data_edits) - {field.name for field in spec.editable}):
        raise DecisionError("invalid_edit", f"These cannot be edited: {', '.join(sorted(locked))}.")
    reason = action_specs.shape_problem(spec, new_data) or action_specs.check(spec, approval.tenant, new_data)
    if reason:
        raise DecisionError("invalid_edit", f"The edited action is not valid: {reason}.")
    new_cost = _edited_cost(spec, approval, new_data, edits)
    new_reach = int(
        _decimal(edits.get("estimated_reach", approval.estimated_reach), "estimated_reach", ceiling=MAX_REACH)
    )
    risk = assess(
        tenant=approval.tenant,
        action_type=approval.action_type,
        estimated_cost=new_cost,
        estimated_reach=new_reach,
        confidence=approval.confidence,
        requested_by=approval.requested_by,
        asked_through=outside.token_id if (outside := approval.outside) else None,
        currency=spec.currency_of(new_data) if registered else currencies.of_action(new_data),
        action_data=new_data,  # a raise edited into a cut is scored by the results it now puts at stake
    )
    return Edited(data_edits, summary, new_data, new_cost, new_reach, risk)


def apply_edits(approval, actor, edits, origin) -> Edit:
    """Change the action before approving it: what changed, for the requester, and whether the edit re-routed it
    to a stricter workflow.

    Risk is scored again; if the edited action is riskier, it follows the workflow that risk calls for, from its
    first level.
    """
    edited = score_edits(approval, edits)
    data_edits, summary, new_data = edited.data_edits, edited.summary, edited.data
    new_cost, new_reach, risk = edited.cost, edited.reach, edited.risk
    spec = spec_for(approval.action_type, approval.tenant)

    changes = {k: [approval.action_data.get(k), v] for k, v in data_edits.items() if approval.action_data.get(k) != v}
    if new_cost != approval.estimated_cost:
        changes["estimated_cost"] = [str(approval.estimated_cost), str(new_cost)]
    if new_reach != approval.estimated_reach:
        changes["estimated_reach"] = [approval.estimated_reach, new_reach]
    old_level = approval.risk_level
    approval.action_data = new_data
    approval.estimated_cost, approval.estimated_reach = new_cost, new_reach
    old_summary = approval.action_summary
    if not summary:  # described in the request's language, as stored (hitl.summaries)
        with translation.override(approval.language or translation.get_language()):
            summary = spec.describe(new_data)
    approval.action_summary = summary[:SUMMARY_LENGTH]
    if approval.action_summary != old_summary:  # the history keeps what was first proposed
        changes["summary"] = [old_summary, approval.action_summary]
    approval.risk_level, approval.risk_score, approval.risk_factors = risk.level, risk.score, risk.factors
    approval.priority = priority_for(risk.level)
    approval.proposal_key = duplicates.proposal_key(approval.action_type, new_data)  # it now asks for this
    approval.target_key = duplicates.target_key(approval.action_type, new_data)
    superseded = _save_edited(approval)
    log(
        approval,
        Event.EDITED,
        Sentence(
            gettext_noop("%(actor)s edited the action before approving; risk %(old)s → %(new)s (%(score)s)."),
            actor=actor,
            old=RiskLevel(old_level).label,
            new=RiskLevel(risk.level).label,
            score=f"{risk.score:g}",
        ),
        actor=actor,
        ip=origin.ip,
        previous_status=approval.status,
        changes=changes,
    )
    tell_superseded(superseded, approval, actor=actor)
    typed = {k: v for k, v in changes.items() if k in data_edits or k in edits}  # not what followed from them
    if RISK_RANK[risk.level] <= RISK_RANK[old_level]:
        return Edit(typed, rerouted=False)
    _reroute(approval, actor, origin, typed)
    return Edit(typed, rerouted=True)


def _save_edited(approval) -> list[Superseded]:
    """Save the edited request as if it were filed anew (hitl.services.conflicts): the twin of a waiting request
    is refused, naming it, so the approver decides the one that waits; a request waiting for the target it now
    changes is superseded (returned, to be told). A request filed meanwhile (the unique indexes) is looked at again.
    """
    superseded = []
    for _attempt in range(EDIT_ATTEMPTS):
        try:
            superseded += supersede_waiting(
                approval.tenant_id, target=approval.target_key, key=approval.proposal_key, exclude=approval
            )
        except AlreadyWaiting as waiting:
            raise DecisionError(
                "duplicate_edit", f"The edited action is the same as {waiting.approval.reference}, which still waits."
            ) from None
        try:
            with transaction.atomic():
                approval.save()
            return superseded
        except IntegrityError:
            continue
    raise DecisionError("duplicate_edit", "Other requests for the same target keep arriving; try again.")


def _reroute(approval, actor, origin, changes) -> None:
    choice = rules.choose_workflow(
        approval.tenant,
        action_type=approval.action_type,
        risk_level=approval.risk_level,
        cost=approval.estimated_cost,
        currency=approval.currency,
    )
    approval.workflow, approval.workflow_snapshot = choice.workflow, choice.rules
    approval.total_levels = len(choice.rules["approval_levels"])
    approval.compliance_flags = [*approval.compliance_flags, *choice.problems]
    ends = deadlines(choice.rules, timezone.now(), critical=rules.is_critical(approval.risk_level))
    if approval.outside is not None:  # an agent outside Walker set its own deadline
        del ends["expires_at"]
    for field, value in ends.items():
        setattr(approval, field, value)
    approval.save()
    assign_level(approval, level=1)
    log(
        approval,
        Event.REROUTED,
        Sentence(
            gettext_noop("The edited action is riskier (%(level)s); it now follows %(workflow)s from level 1."),
            level=RiskLevel(approval.risk_level).label,
            workflow=rules.told_name(choice.rules["name"]),
        ),
        actor=actor,
        ip=origin.ip,
        previous_status=approval.status,
    )
    notify(approval, Notice.CREATED)
    announce(approval, lambda: told.rerouted(approval, actor, changes))
