"""Requests that change the same target: the one rule, written once. The newest intent wins.

The target is what an action changes, as its action spec declares it (`ActionSpec.target`, read through
`hitl.duplicates.target_key`): one campaign for a budget, a pause and a resume, one content piece, one
keyword, one audience name. Two requests for a target that ask the same thing are twins: the second is
not filed (`AlreadyWaiting`). Two that ask different things conflict, and the newer supersedes the older:

- Filed while another request waits for its target (or edited by an approver onto a target another request
  waits for), it closes the waiting one as superseded and its requester is told. A unique index over
  waiting requests' targets keeps one waiting request per target, also when two are filed at once.
- Approved, it closes the target's earlier requests that were approved but have not run (still queued, or
  failed and waiting to be run again), so an older change never runs over a newer one.

Why supersede rather than refuse: docs/architecture.md, "Requests that change the same target".

Locks: a path that locks several requests of one target starts from the one that waits (the caller holds it,
or is filing it after locking the one waiting) and takes the others in primary-key order. Only one request per
target waits, so no two transactions take them in opposite orders.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.history import Event, log
from hitl.models import ApprovalStatus, ExecutionStatus, HITLApproval
from hitl.notifying import told
from hitl.notifying.announce import announce
from hitl.notifying.approvers import Notice, notify
from hitl.services.levels import close_out

NOT_RUN = (ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.FAILED)


class AlreadyWaiting(Exception):
    """The same action is already waiting for a decision: nothing new was filed."""

    def __init__(self, approval: HITLApproval):
        super().__init__(f"{approval.reference} already asks for this")
        self.approval = approval


class OwnRequestWaiting(Exception):
    """The request waiting for the target is the requester's own and they are to be asked before it is replaced
    (conversations.pipeline.held): nothing was filed or closed."""

    def __init__(self, approval: HITLApproval):
        super().__init__(f"{approval.reference} is the requester's own and waits for this target")
        self.approval = approval


@dataclass(frozen=True)
class Superseded:
    approval: HITLApproval
    previous_status: str


def supersede_waiting(
    tenant_id, *, target: str, key: str, exclude: HITLApproval | None = None, asking=None
) -> list[Superseded]:
    """Make way for a request that asks `key` of `target`: the request waiting for that target is closed.

    Raises AlreadyWaiting, changing nothing, when the waiting request asks the same thing, and OwnRequestWaiting
    when it is the request of `asking` (a person to be asked first). The caller then saves its request and calls
    `tell_superseded`. Without a target only twins are looked for.
    """
    waiting = HITLApproval.objects.filter(tenant_id=tenant_id, status=ApprovalStatus.PENDING)
    waiting = waiting.filter(Q(proposal_key=key) | Q(target_key=target) if target else Q(proposal_key=key))
    if exclude is not None:
        waiting = waiting.exclude(pk=exclude.pk)
    rivals = list(waiting.select_for_update(no_key=True).order_by("pk"))
    twin = next((rival for rival in rivals if rival.proposal_key == key), None)
    if twin is not None:
        raise AlreadyWaiting(twin)
    if asking is not None and (own := next((r for r in rivals if r.requested_by_id == asking.pk), None)):
        raise OwnRequestWaiting(own)
    return [_close(rival) for rival in rivals]


def supersede_unrun(approval: HITLApproval, *, actor=None) -> None:
    """`approval` was just approved: its target's earlier requests that have not run are closed, and told."""
    if not approval.target_key:
        return
    earlier = (
        HITLApproval.objects.filter(tenant_id=approval.tenant_id, target_key=approval.target_key, status__in=NOT_RUN)
        .exclude(pk=approval.pk)
        .select_for_update(no_key=True)
        .order_by("pk")
    )
    tell_superseded([_close(older) for older in earlier], approval, actor=actor)


def _close(approval: HITLApproval) -> Superseded:
    previous = approval.status
    approval.mark_superseded()
    fields = ["status"]
    if previous == ApprovalStatus.PENDING:
        approval.resolved_at = timezone.now()
        fields += ["resolved_at", *close_out(approval)]
    elif previous == ApprovalStatus.APPROVED:
        approval.execution_status = ExecutionStatus.NOT_STARTED  # its queued task finds it superseded and skips it
        fields.append("execution_status")
    approval.save(update_fields=fields)
    return Superseded(approval, previous)


def tell_superseded(superseded: list[Superseded], newer: HITLApproval, *, actor=None) -> None:
    """The history of each closed request, its approvers' notice and its requester's message name `newer`."""
    for closed in superseded:
        older = closed.approval
        log(
            older,
            Event.SUPERSEDED,
            Sentence(
                gettext_noop("Superseded by %(reference)s, a newer request for the same target: %(summary)s"),
                reference=newer.reference,
                summary=newer.action_summary,
            ),
            actor=actor,
            previous_status=closed.previous_status,
            superseded_by=newer.reference,
        )
        notify(older, Notice.DECIDED)
        announce(older, lambda older=older: told.superseded(older, newer))
