"""Deciding approvals: approve (optionally with edits, hitl.services.edits), reject, and a workflow's automatic
decision at creation. Escalating, cancelling and the clock's endings are in hitl.services.closing.

Every decision locks the approval row for the length of its transaction, so
two people deciding at the same instant are applied one after the other and
the second sees the first's outcome. Side effects run after commit.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.access import get_approval_for_user, may
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import Answer, ExecutionStatus, HITLApproval, HITLDecision, RiskLevel
from hitl.notifying import told
from hitl.notifying.announce import announce
from hitl.notifying.approvers import Notice, notify
from hitl.services import step_up
from hitl.services.conflicts import supersede_unrun
from hitl.services.edits import Edit, apply_edits
from hitl.services.execution import queue_execution, runs_in_walker
from hitl.services.levels import assign_level, close_out, current_level, is_eligible
from tenants.access import Need
from tenants.privacy.audit import Origin

Decision = HITLDecision.Decision

IN_CONSOLE = Origin(via=HITLDecision.Via.ADMIN)  # a decision whose caller does not say where it came from
SYSTEM = Origin(via=HITLDecision.Via.AUTO)


def require_pending(approval: HITLApproval) -> None:
    if not approval.is_pending:
        raise DecisionError(
            "not_pending", f"{approval.reference} is already {approval.get_status_display().lower()}; nothing changed."
        )


def require_decider(approval: HITLApproval, actor) -> None:
    """`actor` may decide the locked `approval` now: it waits, it is not theirs, and they decide at its level and
    have not yet. Responding with a note to the agent (hitl.services.responses) asks the same."""
    require_pending(approval)
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


def require_allowed(approval: HITLApproval, answer: str) -> None:
    """An agent outside Walker may have narrowed what approvers answer it (`allowed_decisions`)."""
    asked = approval.outside  # only requests from outside have one
    if asked is not None and not asked.allows(answer):
        allowed = ", ".join(asked.allowed_decisions)
        raise DecisionError(
            "decision_not_allowed", f"The agent that asked for {approval.reference} accepts only: {allowed}."
        )


def _answer_of(decision: str, edits) -> str:
    if decision == Decision.REJECT:
        return Answer.REJECT
    return Answer.EDIT if edits else Answer.ACCEPT


def decide(approval_id, *, actor, decision: str, notes: str = "", origin=IN_CONSOLE, edits=None) -> HITLApproval:
    with transaction.atomic():
        approval = get_approval_for_user(actor, approval_id, Need.VIEW, for_update=True)
        require_decider(approval, actor)
        as_it_stood = approval.risk_level

        require_allowed(approval, _answer_of(decision, edits))
        if decision == Decision.REJECT:
            if edits:
                raise DecisionError("edits_on_reject", "Edits apply only when approving.")
            if not notes.strip():
                raise DecisionError("reason_required", "A rejection needs a reason.")
            step_up.enforce(approval, origin)
            _record_decision(approval, actor, Decision.REJECT, notes, origin)
            reject_locked(approval, actor=actor, reason=notes.strip(), origin=origin)
        elif decision == Decision.APPROVE:
            edit = apply_edits(approval, actor, edits, origin) if edits else Edit({}, rerouted=False)
            step_up.enforce(approval, origin, as_it_stood)  # judged as it will run: after the edit
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
        surface_ids=dict(origin.refs),
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
            Sentence(
                gettext_noop("%(actor)s approved at level %(level)s (%(received)s of %(required)s)."),
                actor=actor,
                level=level,
                received=received,
                required=approval.required_approvals,
            ),
            actor=actor,
            origin=origin,
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
            Sentence(
                gettext_noop("Level %(level)s approved; now at level %(next)s of %(levels)s."),
                level=level,
                next=level + 1,
                levels=approval.total_levels,
            ),
            actor=actor,
            origin=origin,
            previous_status=approval.status,
            level=level,  # the chip counts the levels passed by approval (hitl.notifying.told)
        )
        notify(approval, Notice.CREATED)
        announce(approval, lambda: told.level_approved(approval, actor, level, changes, notes))
        return
    final_approve(approval, actor=actor, notes=notes, origin=origin, changes=changes)


def final_approve(approval, *, actor, notes, origin, automatic=False, changes=None, done="") -> None:
    """Approve for good (the last level passed, a workflow's rule or a standing approval, whose words are `done`;
    the caller holds the lock) and queue the run."""
    previous = approval.status
    approval.mark_approved()
    now = timezone.now()
    approval.approved_by = actor
    approval.approved_at = approval.resolved_at = now
    approval.approval_notes = notes
    approval.decided_automatically = automatic
    walker_runs = runs_in_walker(approval)
    approval.execution_status = ExecutionStatus.QUEUED if walker_runs else ExecutionStatus.NOT_STARTED
    cleared = close_out(approval)
    queued = queue_execution(approval) if walker_runs else []
    approval.save(
        update_fields=[
            "status", "approved_by", "approved_at", "resolved_at", "approval_notes",
            "decided_automatically", "execution_status", "approved_under", *cleared, *queued,
        ]
    )  # fmt: skip
    if not done:
        done = (
            Sentence(gettext_noop("Approved automatically."))
            if automatic
            else Sentence(gettext_noop("Approved by %(actor)s."), actor=actor)
        )
    log(approval, Event.APPROVED, done, actor=actor, origin=origin, previous_status=previous)
    notify(approval, Notice.DECIDED)
    said = actor is not None and (changes or notes.strip())
    announce(approval, (lambda: told.approved(approval, actor, changes or {}, notes)) if said else None)
    supersede_unrun(approval, actor=actor)


def reject_locked(approval, *, actor, reason, origin, automatic=False) -> None:
    """Reject for good (the caller holds the lock)."""
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
        done = Sentence(gettext_noop("Rejected automatically: %(reason)s"), reason=reason)
    else:
        done = Sentence(gettext_noop("Rejected by %(actor)s: %(reason)s"), actor=actor, reason=reason)
    log(approval, Event.REJECTED, done, actor=actor, origin=origin, previous_status=previous)
    notify(approval, Notice.DECIDED)
    announce(approval, lambda: told.rejected(approval, reason))


def decide_automatically(approval: HITLApproval, decision: Decision) -> None:
    """Apply a workflow's automatic rule at creation (the caller holds the new row)."""
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id, approval=approval, level=1, approver=None, decision=decision, via=SYSTEM.via
    )
    if decision == Decision.APPROVE and approval.risk_level != RiskLevel.CRITICAL:
        final_approve(
            approval,
            actor=None,
            notes="Matched the workflow's automatic approval rule.",
            origin=SYSTEM,
            automatic=True,
        )
    else:
        reject_locked(
            approval,
            actor=None,
            reason="It matched the workflow's automatic rejection rule.",
            origin=SYSTEM,
            automatic=True,
        )


def approve_under(approval: HITLApproval, grant, words: str) -> None:
    """Approve the new `approval` (the caller holds the row) under a standing approval whose use is counted
    (hitl.services.standing): its giver's approval, recorded as given through it, and decided by no one now."""
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        level=1,
        approver=grant.granted_by,
        decision=Decision.APPROVE,
        notes=words,
        via=HITLDecision.Via.STANDING,
    )
    approval.approved_under = grant
    final_approve(
        approval,
        actor=grant.granted_by,
        notes="",
        origin=Origin(via=HITLDecision.Via.STANDING),
        automatic=True,
        done=words,
    )
