"""Closing approvals without an approver's yes or no: escalate (by a person or the clock), cancel, expire, and
the workflow's approval after its waiting time. Each locks the approval row (or runs under the caller's lock)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.access import get_approval_for_user, may_manage
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import HITLApproval, HITLDecision
from hitl.notifying import told
from hitl.notifying.announce import announce
from hitl.notifying.approvers import Notice, notify
from hitl.services.decisions import IN_CONSOLE, SYSTEM, Decision, final_approve, reject_locked, require_pending
from hitl.services.levels import assign_level, close_out, refresh_assignees
from tenants.access import Need
from tenants.roles import Role

NO_DECISION_IN_TIME = "No decision in time."  # what the agent is told, in the API's language


def escalate(approval_id, *, actor=None, reason: str, origin=IN_CONSOLE) -> HITLApproval:
    """Move to the next level, or past the last level to a tenant admin. `actor` None: the SLA did it."""
    with transaction.atomic():
        if actor is None:
            approval = HITLApproval.objects.select_for_update(no_key=True).get(pk=approval_id)
        else:
            approval = get_approval_for_user(actor, approval_id, Need.DECIDE, for_update=True)
        require_pending(approval)
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
        done = Sentence(
            gettext_noop("Escalated by %(actor)s to %(target)s: %(reason)s"), actor=actor, target=target, reason=reason
        )
    else:
        done = Sentence(gettext_noop("Escalated automatically to %(target)s: %(reason)s"), target=target, reason=reason)
    log(approval, Event.ESCALATED, done, actor=actor, ip=origin.ip)
    notify(approval, Notice.ESCALATED)


def cancel(approval_id, *, actor, reason: str = "", origin=IN_CONSOLE) -> HITLApproval:
    """The requester withdraws the request, or a tenant admin stops it."""
    with transaction.atomic():
        approval = get_approval_for_user(actor, approval_id, Need.VIEW, for_update=True)
        require_pending(approval)
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
            Sentence(gettext_noop("Cancelled by %(actor)s. %(reason)s"), actor=actor, reason=reason)
            if reason.strip()
            else Sentence(gettext_noop("Cancelled by %(actor)s."), actor=actor),
            actor=actor,
            ip=origin.ip,
            previous_status=previous,
        )
        notify(approval, Notice.DECIDED)
    return approval


def withdraw(approval_id, *, reason: str | Sentence) -> bool:
    """A requester that is not a person takes its waiting request back (an ad platform no longer offers the
    recommendation it asked about): cancelled by no one, with `reason` in its history (a `Sentence`, told in each
    reader's language). False when it no longer waits (decided meanwhile), which changes nothing."""
    with transaction.atomic():
        approval = HITLApproval.objects.select_for_update(no_key=True).filter(pk=approval_id).first()
        if approval is None or not approval.is_pending:
            return False
        previous = approval.status
        approval.mark_cancelled()
        approval.resolved_at = timezone.now()
        cleared = close_out(approval)
        approval.save(update_fields=["status", "resolved_at", *cleared])
        log(approval, Event.CANCELLED, Sentence(gettext_noop("Withdrawn: %(reason)s"), reason=reason),
            previous_status=previous)  # fmt: skip
        notify(approval, Notice.DECIDED)
    return True


def expire_locked(approval: HITLApproval) -> None:
    """No decision came in time (the caller holds the lock)."""
    previous = approval.status
    approval.mark_expired()
    approval.resolved_at = timezone.now()
    cleared = close_out(approval)
    approval.save(update_fields=["status", "resolved_at", *cleared])
    log(approval, Event.EXPIRED, Sentence(gettext_noop("Expired: nobody decided in time.")), previous_status=previous)
    notify(approval, Notice.DECIDED)
    announce(approval, lambda: told.expired(approval))


def _decided_by_walker(approval: HITLApproval, decision: str) -> None:
    """The decision row of an ending nobody decided: at the current level, by no approver."""
    HITLDecision.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        level=approval.approval_level,
        approver=None,
        decision=decision,
        via=SYSTEM.via,
    )


def reject_unanswered_locked(approval: HITLApproval) -> None:
    """An agent outside Walker asked and nobody decided before its request expired: rejected, never approved by
    silence, whatever the workflow's waiting time says (the caller holds the lock)."""
    _decided_by_walker(approval, Decision.REJECT)
    reject_locked(approval, actor=None, reason=NO_DECISION_IN_TIME, origin=SYSTEM, automatic=True)


def auto_approve_locked(approval: HITLApproval) -> None:
    """The workflow approves after its waiting time (never a critical action; the caller holds the lock)."""
    _decided_by_walker(approval, Decision.APPROVE)
    hours = approval.workflow_snapshot.get("auto_approve_hours")
    final_approve(
        approval,
        actor=None,
        notes=f"No decision within {hours} h; approved by the workflow.",
        origin=SYSTEM,
        automatic=True,
    )
