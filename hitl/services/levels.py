"""Who may decide an approval at its current level, and moving it to a level."""

from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from hitl import rules
from hitl.access import DECIDE, decide_permission
from hitl.models import HITLApproval


def current_level(approval: HITLApproval) -> rules.Level:
    levels = rules.parse_levels(approval.workflow_snapshot["approval_levels"])
    return levels[approval.approval_level - 1]


def deciders(tenant, level: rules.Level, *, requested_by_id=None, escalated_to_id=None):
    """People who may decide at `level`: its approvers and anyone it was escalated to, never the requester."""
    extra = [escalated_to_id] if escalated_to_id else []
    people = rules.eligible_approvers(tenant, level, extra_user_ids=extra)
    return people.exclude(pk=requested_by_id) if requested_by_id else people


def eligible_approvers(approval: HITLApproval):
    return deciders(
        approval.tenant,
        current_level(approval),
        requested_by_id=approval.requested_by_id,
        escalated_to_id=approval.escalated_to_id,
    )


def is_eligible(approval: HITLApproval, user) -> bool:
    return eligible_approvers(approval).filter(pk=user.pk).exists()


def level_fields(snapshot: dict, level: int, people: list) -> dict:
    """The approval's fields at `level` when `people` (ordered by email) may decide there."""
    spec = rules.parse_levels(snapshot["approval_levels"])[level - 1]
    unanimous = snapshot.get("unanimous_required")
    parallel = snapshot.get("parallel_approval", True)
    return {
        "approval_level": level,
        "received_approvals": 0,
        "required_approvals": max(len(people), 1) if unanimous else spec.required_approvals,
        "assigned_to": None if parallel or not people else people[0],
    }


def assign_level(approval: HITLApproval, *, level: int) -> None:
    """Put the approval at `level`: how many approvals it needs there and, if sequential, who is assigned."""
    approval.approval_level = level
    people = list(eligible_approvers(approval).order_by("date_joined", "pk"))
    for field, value in level_fields(approval.workflow_snapshot, level, people).items():
        setattr(approval, field, value)
    approval.save(update_fields=["approval_level", "received_approvals", "required_approvals", "assigned_to"])
    refresh_assignees(approval, people)


def grant(approval: HITLApproval, people: list) -> None:
    """A new approval's deciders: assignees (for "assigned to me") and the object permission, in bulk."""
    if people:
        approval.assignees.through.objects.bulk_create(
            [approval.assignees.through(hitlapproval_id=approval.pk, user_id=person.pk) for person in people]
        )
        assign_perm(decide_permission(), people, approval)


def refresh_assignees(approval: HITLApproval, people: list | None = None) -> None:
    """Record who may decide now: for "assigned to me" lists, and as a django-guardian object permission."""
    now = set(eligible_approvers(approval) if people is None else people)
    before = set(approval.assignees.all())
    approval.assignees.set(now)
    for user in before - now:
        remove_perm(DECIDE, user, approval)
    if now - before:
        assign_perm(decide_permission(), list(now - before), approval)


def clear_assignees(approval: HITLApproval) -> None:
    """Nobody is left to decide (the approval is resolved)."""
    for user in approval.assignees.all():
        remove_perm(DECIDE, user, approval)
    approval.assignees.clear()


def close_out(approval: HITLApproval) -> list[str]:
    """At resolution: stop the clock (a breached approval records how late it was), nobody is left to decide.

    Returns the fields it set, for the caller's save."""
    clear_assignees(approval)
    approval.next_reminder_at = approval.escalation_due_at = approval.expires_at = None
    if approval.sla_breached and approval.sla_deadline:
        late = timezone.now() - approval.sla_deadline
        approval.sla_breach_duration_minutes = max(int(late.total_seconds() // 60), 0)
    return ["next_reminder_at", "escalation_due_at", "expires_at", "sla_breach_duration_minutes"]
