"""Deciding approvals: approve (optionally with edits), reject, escalate, cancel, expire.

Every function locks the approval row for the length of its transaction, so
two people deciding at the same instant are applied one after the other and
the second sees the first's outcome. Side effects run after commit.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agents import action_specs
from hitl import duplicates, rules, told
from hitl.access import get_approval_for_user, may, may_manage
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import ExecutionStatus, HITLApproval, HITLDecision, RiskLevel
from hitl.notifications import Notice, notify
from hitl.risk import assess, priority_for
from hitl.services.announce import announce
from hitl.services.conflicts import AlreadyWaiting, Superseded, supersede_unrun, supersede_waiting, tell_superseded
from hitl.services.execution import queue_execution
from hitl.services.levels import assign_level, close_out, current_level, is_eligible, refresh_assignees
from hitl.services.timing import deadlines
from tenants.access import Need
from tenants.audit import Origin
from tenants.input_text import UnreadableInput, check_value
from tenants.roles import Role

Decision = HITLDecision.Decision
RISK_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.CRITICAL: 3}
EDITABLE = {"action_data", "estimated_cost", "estimated_reach", "summary"}
MAX_COST = Decimal("999999999999.99")  # what HITLApproval.estimated_cost holds (14 digits, 2 after the point)
MAX_REACH = 2**31 - 1  # what HITLApproval.estimated_reach holds
SUMMARY_LENGTH = 300
EDIT_ATTEMPTS = 3  # an edited request met by concurrent requests for its target looks again, this many times


@dataclass(frozen=True)
class Edit:
    """What an approver changed before approving, as the requester is told it: `{field: [before, after]}`."""

    changes: dict
    rerouted: bool  # riskier as edited: it started again under the workflow that risk calls for (told then)


IN_CONSOLE = Origin(via=HITLDecision.Via.ADMIN)  # a decision whose caller does not say where it came from
SYSTEM = Origin(via=HITLDecision.Via.AUTO)


def _require_pending(approval: HITLApproval) -> None:
    if not approval.is_pending:
        raise DecisionError(
            "not_pending", f"{approval.reference} is already {approval.get_status_display().lower()}; nothing changed."
        )


# --- approve / reject -------------------------------------------------------------------


def decide(approval_id, *, actor, decision: str, notes: str = "", origin=IN_CONSOLE, edits=None) -> HITLApproval:
    with transaction.atomic():
        approval = get_approval_for_user(actor, approval_id, Need.VIEW, for_update=True)
        _require_pending(approval)
        if approval.requested_by_id == actor.pk:
            raise DecisionError("self_approval", "Nobody decides on their own request.")
        if not may(actor, Need.DECIDE, approval):
            raise DecisionError("forbidden", "Your role does not decide approvals.")
        if not is_eligible(approval, actor):
            level = current_level(approval)
            raise DecisionError(
                "not_eligible", f"You are not an approver at level {approval.approval_level} ({level.name})."
            )
        if approval.decisions.filter(level=approval.approval_level, approver=actor).exists():
            raise DecisionError("already_decided", "You have already decided at this level.")

        if decision == Decision.REJECT:
            if edits:
                raise DecisionError("edits_on_reject", "Edits apply only when approving.")
            if not notes.strip():
                raise DecisionError("reason_required", "A rejection needs a reason.")
            _record_decision(approval, actor, Decision.REJECT, notes, origin)
            _reject(approval, actor=actor, reason=notes.strip(), origin=origin)
        elif decision == Decision.APPROVE:
            edit = _apply_edits(approval, actor, edits, origin) if edits else Edit({}, rerouted=False)
            if edit.rerouted and not is_eligible(approval, actor):
                return approval  # re-routed to a level this approver cannot decide: the edit stands, others decide
            _record_decision(approval, actor, Decision.APPROVE, notes, origin)
            _count_and_advance(approval, actor, notes, origin, changes={} if edit.rerouted else edit.changes)
        else:
            raise DecisionError("bad_decision", f"Unknown decision {decision!r}.")
    return approval


def approve(approval_id, *, actor, notes="", origin=IN_CONSOLE, edits=None) -> HITLApproval:
    return decide(approval_id, actor=actor, decision=Decision.APPROVE, notes=notes, origin=origin, edits=edits)


def reject(approval_id, *, actor, reason: str, origin=IN_CONSOLE) -> HITLApproval:
    return decide(approval_id, actor=actor, decision=Decision.REJECT, notes=reason, origin=origin)


def _record_decision(approval, actor, decision, notes, origin) -> None:
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        level=approval.approval_level,
        approver=actor,
        decision=decision,
        notes=notes,
        via=origin.via,
        ip_address=origin.ip,
        user_agent=origin.user_agent[:300],
    )


def _count_and_advance(approval, actor, notes, origin, *, changes) -> None:
    """Count the approval at its level; the requester hears of it when it passes a level, when it is approved in
    the end with an edit or a note (`changes`: the edit not yet told), or when one of several approvals a level
    needs brought either."""
    level = approval.approval_level
    received = approval.decisions.filter(level=level, decision=Decision.APPROVE).count()
    approval.received_approvals = received
    approval.save(update_fields=["received_approvals"])
    if received < approval.required_approvals:
        log(
            approval,
            Event.APPROVAL_RECORDED,
            _("%(actor)s approved at level %(level)s (%(received)s of %(required)s).")
            % {"actor": actor, "level": level, "received": received, "required": approval.required_approvals},
            actor=actor,
            ip=origin.ip,
            previous_status=approval.status,
        )
        if changes or notes.strip():
            announce(approval, lambda: told.approval_counted(approval, actor, changes, notes))
        return
    if level < approval.total_levels:
        assign_level(approval, level=level + 1)
        log(
            approval,
            Event.LEVEL_APPROVED,
            _("Level %(level)s approved; now at level %(next)s of %(levels)s.")
            % {"level": level, "next": level + 1, "levels": approval.total_levels},
            actor=actor,
            ip=origin.ip,
            previous_status=approval.status,
            level=level,  # the chip counts the levels passed by approval (hitl.told)
        )
        notify(approval, Notice.CREATED)
        announce(approval, lambda: told.level_approved(approval, actor, level, changes, notes))
        return
    _final_approve(approval, actor=actor, notes=notes, origin=origin, changes=changes)


def _final_approve(approval, *, actor, notes, origin, automatic=False, changes=None) -> None:
    previous = approval.status
    approval.mark_approved()
    now = timezone.now()
    approval.approved_by = actor
    approval.approved_at = approval.resolved_at = now
    approval.approval_notes = notes
    approval.decided_automatically = automatic
    approval.execution_status = ExecutionStatus.QUEUED
    cleared = close_out(approval)
    queued = queue_execution(approval)
    approval.save(
        update_fields=[
            "status", "approved_by", "approved_at", "resolved_at", "approval_notes",
            "decided_automatically", "execution_status", *cleared, *queued,
        ]
    )  # fmt: skip
    done = _("Approved automatically.") if automatic else _("Approved by %(actor)s.") % {"actor": actor}
    log(approval, Event.APPROVED, done, actor=actor, ip=origin.ip, previous_status=previous)
    notify(approval, Notice.DECIDED)
    said = actor is not None and (changes or notes.strip())
    announce(approval, (lambda: told.approved(approval, actor, changes or {}, notes)) if said else None)
    supersede_unrun(approval, actor=actor)


def _reject(approval, *, actor, reason, origin, automatic=False) -> None:
    previous = approval.status
    approval.mark_rejected()
    now = timezone.now()
    approval.rejected_by = actor
    approval.rejected_at = approval.resolved_at = now
    approval.rejection_reason = reason
    approval.decided_automatically = automatic
    cleared = close_out(approval)
    approval.save(
        update_fields=[
            "status", "rejected_by", "rejected_at", "resolved_at", "rejection_reason", "decided_automatically", *cleared
        ]
    )  # fmt: skip
    if automatic:
        done = _("Rejected automatically: %(reason)s") % {"reason": reason}
    else:
        done = _("Rejected by %(actor)s: %(reason)s") % {"actor": actor, "reason": reason}
    log(approval, Event.REJECTED, done, actor=actor, ip=origin.ip, previous_status=previous)
    notify(approval, Notice.DECIDED)
    announce(approval, lambda: told.rejected(approval, reason))


def decide_automatically(approval: HITLApproval, decision: Decision) -> None:
    """Apply a workflow's automatic rule at creation (the caller holds the new row)."""
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id, approval=approval, level=1, approver=None, decision=decision, via=SYSTEM.via
    )
    if decision == Decision.APPROVE and approval.risk_level != RiskLevel.CRITICAL:
        _final_approve(
            approval,
            actor=None,
            notes="Matched the workflow's automatic approval rule.",
            origin=SYSTEM,
            automatic=True,
        )
    else:
        _reject(
            approval,
            actor=None,
            reason="It matched the workflow's automatic rejection rule.",
            origin=SYSTEM,
            automatic=True,
        )


# --- edits while approving --------------------------------------------------------------


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


def _apply_edits(approval, actor, edits, origin) -> Edit:
    """Change the action before approving it: what changed, for the requester, and whether the edit re-routed it
    to a stricter workflow.

    The action type never changes. Risk is scored again; if the edited action
    is riskier, it follows the workflow that risk calls for, from its first level.
    """
    data_edits, summary = _checked_shape(edits)
    if "action_type" in edits or "action_type" in data_edits:
        raise DecisionError("action_type_locked", "An edit cannot change the kind of action.")
    unknown = set(edits) - EDITABLE
    if unknown:
        raise DecisionError("invalid_edit", f"These cannot be edited: {', '.join(sorted(unknown))}.")
    new_data = {**approval.action_data, **data_edits}
    spec = action_specs.spec_for(approval.action_type)
    if spec is None:
        raise DecisionError("invalid_edit", f"Walker does not know “{approval.action_type}” actions; decide as is.")
    reason = action_specs.shape_problem(spec, new_data) or spec.check(approval.tenant, new_data)
    if reason:
        raise DecisionError("invalid_edit", f"The edited action is not valid: {reason}.")
    new_cost = _edited_cost(spec, approval, new_data, edits)
    new_reach = int(
        _decimal(edits.get("estimated_reach", approval.estimated_reach), "estimated_reach", ceiling=MAX_REACH)
    )

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
    risk = assess(
        tenant=approval.tenant,
        action_type=approval.action_type,
        estimated_cost=new_cost,
        estimated_reach=new_reach,
        confidence=approval.confidence,
        requested_by=approval.requested_by,
    )
    approval.risk_level, approval.risk_score, approval.risk_factors = risk.level, risk.score, risk.factors
    approval.priority = priority_for(risk.level)
    approval.proposal_key = duplicates.proposal_key(approval.action_type, new_data)  # it now asks for this
    approval.target_key = duplicates.target_key(approval.action_type, new_data)
    superseded = _save_edited(approval)
    log(
        approval,
        Event.EDITED,
        _("%(actor)s edited the action before approving; risk %(old)s → %(new)s (%(score)s).")
        % {
            "actor": actor,
            "old": RiskLevel(old_level).label.lower(),
            "new": RiskLevel(risk.level).label.lower(),
            "score": f"{risk.score:g}",
        },
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
        approval.tenant, action_type=approval.action_type, risk_level=approval.risk_level, cost=approval.estimated_cost
    )
    approval.workflow, approval.workflow_snapshot = choice.workflow, choice.rules
    approval.total_levels = len(choice.rules["approval_levels"])
    approval.compliance_flags = [*approval.compliance_flags, *choice.problems]
    for field, value in deadlines(
        choice.rules, timezone.now(), critical=rules.is_critical(approval.risk_level)
    ).items():
        setattr(approval, field, value)
    approval.save()
    assign_level(approval, level=1)
    log(
        approval,
        Event.REROUTED,
        _("The edited action is riskier (%(level)s); it now follows %(workflow)s from level 1.")
        % {"level": approval.risk_level, "workflow": choice.rules["name"]},
        actor=actor,
        ip=origin.ip,
        previous_status=approval.status,
    )
    notify(approval, Notice.CREATED)
    announce(approval, lambda: told.rerouted(approval, actor, changes))


# --- escalate / cancel / expire -----------------------------------------------------------


def escalate(approval_id, *, actor=None, reason: str, origin=IN_CONSOLE) -> HITLApproval:
    """Move to the next level, or past the last level to a tenant admin. `actor` None: the SLA did it."""
    with transaction.atomic():
        if actor is None:
            approval = HITLApproval.objects.select_for_update(no_key=True).get(pk=approval_id)
        else:
            approval = get_approval_for_user(actor, approval_id, Need.DECIDE, for_update=True)
        _require_pending(approval)
        escalate_locked(approval, actor=actor, reason=reason, origin=origin)
    return approval


def escalate_locked(approval, *, actor, reason, origin) -> None:
    previous_level = approval.approval_level
    approval.escalated_at = timezone.now()
    approval.escalation_reason = reason
    approval.escalation_due_at = None
    if previous_level < approval.total_levels:
        approval.save(update_fields=["escalated_at", "escalation_reason", "escalation_due_at"])
        assign_level(approval, level=previous_level + 1)
        target = _("level %(level)s of %(levels)s") % {"level": previous_level + 1, "levels": approval.total_levels}
    else:
        admins = approval.tenant.users.filter(role=Role.ADMIN, is_active=True).exclude(pk=approval.requested_by_id)
        admin = (
            admins.exclude(pk=approval.escalated_to_id).order_by("date_joined", "pk").first()
            or admins.order_by("date_joined", "pk").first()
        )
        if admin is None:
            raise DecisionError("no_escalation_target", "There is no tenant admin to escalate to.")
        approval.escalated_to = approval.assigned_to = admin
        approval.save(
            update_fields=["escalated_at", "escalation_reason", "escalation_due_at", "escalated_to", "assigned_to"]
        )
        refresh_assignees(approval)
        target = str(admin)
    if actor:
        done = _("Escalated by %(actor)s to %(target)s: %(reason)s")
        done %= {"actor": actor, "target": target, "reason": reason}
    else:
        done = _("Escalated automatically to %(target)s: %(reason)s") % {"target": target, "reason": reason}
    log(approval, Event.ESCALATED, done, actor=actor, ip=origin.ip)
    notify(approval, Notice.ESCALATED)


def cancel(approval_id, *, actor, reason: str = "", origin=IN_CONSOLE) -> HITLApproval:
    """The requester withdraws the request, or a tenant admin stops it."""
    with transaction.atomic():
        approval = get_approval_for_user(actor, approval_id, Need.VIEW, for_update=True)
        _require_pending(approval)
        if not (actor.pk == approval.requested_by_id or may_manage(actor)):
            raise DecisionError("forbidden", "Only the requester or a tenant admin can cancel a request.")
        previous = approval.status
        approval.mark_cancelled()
        approval.resolved_at = timezone.now()
        cleared = close_out(approval)
        approval.save(update_fields=["status", "resolved_at", *cleared])
        log(
            approval,
            Event.CANCELLED,
            (_("Cancelled by %(actor)s.") % {"actor": actor} + f" {reason}").strip(),
            actor=actor,
            ip=origin.ip,
            previous_status=previous,
        )
        notify(approval, Notice.DECIDED)
    return approval


def expire_locked(approval: HITLApproval) -> None:
    """No decision came in time (the caller holds the lock)."""
    previous = approval.status
    approval.mark_expired()
    approval.resolved_at = timezone.now()
    cleared = close_out(approval)
    approval.save(update_fields=["status", "resolved_at", *cleared])
    log(approval, Event.EXPIRED, _("Expired: nobody decided in time."), previous_status=previous)
    notify(approval, Notice.DECIDED)
    announce(approval, lambda: told.expired(approval))


def auto_approve_locked(approval: HITLApproval) -> None:
    """The workflow approves after its waiting time (never a critical action; the caller holds the lock)."""
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        level=approval.approval_level,
        approver=None,
        decision=Decision.APPROVE,
        via=SYSTEM.via,
    )
    hours = approval.workflow_snapshot.get("auto_approve_hours")
    _final_approve(
        approval,
        actor=None,
        notes=f"No decision within {hours} h; approved by the workflow.",
        origin=SYSTEM,
        automatic=True,
    )
