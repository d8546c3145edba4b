"""Who may decide an approval at its current level, and moving it to a level."""

from guardian.shortcuts import assign_perm, remove_perm

from hitl import rules
from hitl.models import HITLApproval


def current_level(approval: HITLApproval) -> rules.Level:
    levels = rules.parse_levels(approval.workflow_snapshot["approval_levels"])
    return levels[approval.approval_level - 1]


def eligible_approvers(approval: HITLApproval):
    """People who may decide now: the level's approvers and anyone it was escalated to, never the requester."""
    extra = [approval.escalated_to_id] if approval.escalated_to_id else []
    people = rules.eligible_approvers(approval.tenant, current_level(approval), extra_user_ids=extra)
    return people.exclude(pk=approval.requested_by_id) if approval.requested_by_id else people


def is_eligible(approval: HITLApproval, user) -> bool:
    return eligible_approvers(approval).filter(pk=user.pk).exists()


def assign_level(approval: HITLApproval, *, level: int) -> None:
    """Put the approval at `level`: how many approvals it needs there and, if sequential, who is assigned."""
    approval.approval_level = level
    approval.received_approvals = 0
    spec = current_level(approval)
    people = eligible_approvers(approval).order_by("email")
    unanimous = approval.workflow_snapshot.get("unanimous_required")
    approval.required_approvals = max(people.count(), 1) if unanimous else spec.required_approvals
    parallel = approval.workflow_snapshot.get("parallel_approval", True)
    approval.assigned_to = None if parallel else people.first()
    approval.save(update_fields=["approval_level", "received_approvals", "required_approvals", "assigned_to"])
    refresh_assignees(approval)


DECIDE = "hitl.decide_hitlapproval"


def refresh_assignees(approval: HITLApproval) -> None:
    """Record who may decide now: for "assigned to me" lists, and as a django-guardian object permission."""
    now = set(eligible_approvers(approval))
    before = set(approval.assignees.all())
    approval.assignees.set(now)
    for user in before - now:
        remove_perm(DECIDE, user, approval)
    for user in now - before:
        assign_perm(DECIDE, user, approval)


def clear_assignees(approval: HITLApproval) -> None:
    """Nobody is left to decide (the approval is resolved)."""
    for user in approval.assignees.all():
        remove_perm(DECIDE, user, approval)
    approval.assignees.clear()
