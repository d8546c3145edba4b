"""Approved actions that no worker is carrying out are sent again, so each one runs or is visibly stuck.

A worker killed during a ledger execution rolls its transaction back: the approval is
"approved / queued" again, but its task message is only redelivered by the broker after
the visibility timeout (and not at all if the broker lost it). `requeue_stalled`, run by
beat every few minutes, finds approved executions whose task was sent more than
EXECUTION_RECOVERY_MINUTES ago and that no worker holds, and sends a new task. A ledger
execution in progress holds the row lock, so SKIP LOCKED passes it over; a duplicate
task is harmless, since an execution is claimed under that lock exactly once.

A remote attempt that went silent ("executing / running") is not re-sent: the receiver may have acted.
An ad platform's change is read back from the platform once its lease is over (hitl.services.read_back);
the webhook's is for a person (mark failed, then run again).
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.access import get_approval_for_user
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import ApprovalStatus, ExecutionStatus, HITLApproval
from hitl.services.execution import queue_execution
from tenants.access import Need

BATCH_SIZE = 100
RETRY_BACKOFF_CEILING = timedelta(hours=1)  # hitl.tasks waits at most this long between attempts

WAITING_FOR_A_WORKER = Q(status=ApprovalStatus.APPROVED, execution_status=ExecutionStatus.QUEUED)
WAITING_TO_RETRY = Q(status=ApprovalStatus.EXECUTING, execution_status=ExecutionStatus.RETRYING)


def _stalled(now) -> Q:
    grace = timedelta(minutes=settings.EXECUTION_RECOVERY_MINUTES)
    return (WAITING_FOR_A_WORKER & Q(queued_since__lt=now - grace)) | (
        WAITING_TO_RETRY & Q(queued_since__lt=now - grace - RETRY_BACKOFF_CEILING)
    )


def _requeue(approval: HITLApproval, *, actor=None, now=None) -> None:
    approval.save(update_fields=queue_execution(approval, now=now))
    if actor:
        done = Sentence(gettext_noop("%(actor)s sent the execution to a worker again."), actor=actor)
    else:
        done = Sentence(gettext_noop("Recovery sent the execution to a worker again."))
    log(approval, Event.EXECUTION_REQUEUED, done, actor=actor)


def requeue_stalled(now=None) -> int:
    """Send a new task for every stalled execution that no worker holds; how many were sent."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                HITLApproval.objects.annotate(queued_since=Coalesce("execution_queued_at", "approved_at"))
                .filter(_stalled(now))
                .select_for_update(skip_locked=True, no_key=True, of=("self",))
                .order_by("queued_since")[:BATCH_SIZE]
            )
            for approval in batch:
                _requeue(approval, now=now)
        sent += len(batch)
        if len(batch) < BATCH_SIZE:
            return sent


def requeue_execution(approval_id, *, actor) -> HITLApproval:
    """A person sends an approved execution that seems stuck to a worker again (no grace period)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                # A ledger execution in progress holds the row.
                approval = get_approval_for_user(actor, approval_id, Need.DECIDE, for_update=True, nowait=True)
        except DatabaseError:
            raise DecisionError("running", "A worker is carrying it out right now; nothing changed.") from None
        waiting = approval.status == ApprovalStatus.APPROVED and approval.execution_status == ExecutionStatus.QUEUED
        retrying = approval.status == ApprovalStatus.EXECUTING and approval.execution_status == ExecutionStatus.RETRYING
        if not (waiting or retrying):
            raise DecisionError(
                "not_queued",
                f"Only an approved action waiting for a worker can be sent again; {approval.reference} is "
                f"{approval.get_status_display().lower()}.",
            )
        _requeue(approval, actor=actor)
    return approval
