"""The clock: breaches, reminders, escalation, and the end (auto-approval or expiry; a request from an agent outside
Walker is rejected instead, never approved by silence).

A beat task calls `process_due()` every minute. Due approvals are claimed with
SELECT ... FOR UPDATE SKIP LOCKED, so two workers never process the same row,
and each step moves its deadline column past now, so running again changes
nothing. After downtime it catches up in one pass: the breach is recorded with
its true length, the end wins over reminders and escalation, and at most one
(late) reminder is sent rather than a burst.

Each approval is handled in its own savepoint: one that raises is rolled back alone, recorded
(`DeadlineFailure`) and tried again by the next sweeps, up to MAX_ATTEMPTS; then the sweep leaves it out
until an operator deletes the record. The rest of the batch is handled either way.
"""

import logging
import traceback
from collections import Counter

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from core.metrics import SLA_BREACHES, inc_on_commit
from core.sentence import Sentence
from hitl import rules
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import ApprovalStatus, DeadlineFailure, HITLApproval
from hitl.notifying.approvers import Notice, notify
from hitl.services.closing import auto_approve_locked, escalate_locked, expire_locked, reject_unanswered_locked
from hitl.services.decisions import SYSTEM
from hitl.services.timing import HOUR

BATCH_SIZE = 200
MAX_ATTEMPTS = 3

logger = logging.getLogger(__name__)


def _due(now) -> Q:
    return (
        Q(sla_deadline__lte=now, sla_breached=False)
        | Q(next_reminder_at__lte=now)
        | Q(escalation_due_at__lte=now)
        | Q(expires_at__lte=now)
    )


def process_due(now=None) -> Counter:
    now = now or timezone.now()
    done = Counter()
    failed_now = set()  # tried once per sweep: a later batch of the same sweep does not pick them up again
    while True:
        with transaction.atomic():
            batch = list(
                HITLApproval.objects.select_for_update(skip_locked=True, of=("self",))  # lock approvals, not tenants
                .select_related("tenant", "deadline_failure", "outside_request")
                .filter(status=ApprovalStatus.PENDING)
                .filter(_due(now))
                .exclude(deadline_failure__attempts__gte=MAX_ATTEMPTS)
                .exclude(pk__in=failed_now)
                .order_by("expires_at")[:BATCH_SIZE]
            )
            for approval in batch:
                steps = _guarded_step(approval, now)
                if steps is None:
                    failed_now.add(approval.pk)
                    done["failed"] += 1
                else:
                    done.update(steps)
        if len(batch) < BATCH_SIZE:
            return done


def _guarded_step(approval: HITLApproval, now) -> list[str] | None:
    """The approval's steps in a savepoint of their own; None, with the failure recorded, when they raised."""
    try:
        with transaction.atomic():
            steps = _step(approval, now)
    except Exception as error:  # any bug or outage in one row must not roll back the batch
        logger.exception("Deadline sweep failed on approval %s", approval.pk)
        _record_failure(approval, error, now)
        return None
    if hasattr(approval, "deadline_failure"):
        approval.deadline_failure.delete()
    return steps


def _record_failure(approval: HITLApproval, error: Exception, now) -> None:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    where = f"{type(error).__name__} at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
    record, _created = DeadlineFailure.objects.get_or_create(
        approval=approval, defaults={"last_error": where, "last_failed_at": now}
    )
    record.attempts += 1
    record.last_error = where[:300]
    record.last_failed_at = now
    record.save(update_fields=["attempts", "last_error", "last_failed_at"])


def _step(approval: HITLApproval, now) -> list[str]:
    steps = []
    if approval.sla_deadline and approval.sla_deadline <= now and not approval.sla_breached:
        approval.sla_breached = True
        approval.sla_breach_duration_minutes = int((now - approval.sla_deadline).total_seconds() // 60)
        approval.save(update_fields=["sla_breached", "sla_breach_duration_minutes"])
        log(
            approval,
            Event.SLA_BREACHED,
            Sentence(
                gettext_noop("SLA breached (%(minutes)s min past the deadline)."),
                minutes=approval.sla_breach_duration_minutes,
            ),
        )
        steps.append("breached")
        inc_on_commit(SLA_BREACHES, risk_level=approval.risk_level)  # not if this approval's savepoint rolls back

    if approval.expires_at and approval.expires_at <= now:
        if approval.outside is not None:  # loaded with the batch
            reject_unanswered_locked(approval)
            return [*steps, "rejected_unanswered"]
        config = approval.workflow_snapshot
        if config.get("auto_approve_hours") and not rules.is_critical(approval.risk_level):
            auto_approve_locked(approval)
            return [*steps, "auto_approved"]
        expire_locked(approval)
        return [*steps, "expired"]

    if approval.escalation_due_at and approval.escalation_due_at <= now:
        try:
            escalate_locked(
                approval, actor=None, reason=gettext_lazy("No decision within the escalation time."), origin=SYSTEM
            )
            steps.append("escalated")
        except DecisionError as err:  # e.g. no admin to escalate to: record it, keep waiting
            approval.escalation_due_at = None
            approval.compliance_flags = [*approval.compliance_flags, f"escalation failed: {err.detail}"]
            approval.save(update_fields=["escalation_due_at", "compliance_flags"])
            log(approval, Event.ESCALATION_FAILED, err.detail)

    if approval.next_reminder_at and approval.next_reminder_at <= now:
        approval.reminder_count += 1
        approval.last_reminder_at = now
        frequency = approval.workflow_snapshot.get("reminder_frequency_hours")
        more = frequency and approval.reminder_count < approval.workflow_snapshot.get("max_reminders", 0)
        approval.next_reminder_at = now + frequency * HOUR if more else None
        approval.save(update_fields=["reminder_count", "last_reminder_at", "next_reminder_at"])
        log(
            approval,
            Event.REMINDER,
            Sentence(gettext_noop("Reminder %(number)s sent."), number=approval.reminder_count),
        )
        notify(approval, Notice.REMINDER, reminder_number=approval.reminder_count)
        steps.append("reminded")
    return steps
