"""Running an approved action exactly once.

The executor is chosen per action (agents.executors.get_executor: a campaign synced from an ad platform is changed
there). The ledger executor changes Walker's own data, so claiming the approval,
applying the change and marking it executed happen in one transaction with the
row locked: a crash rolls everything back and a retry applies it once. The
webhook and ad platform executors call out, which no transaction can cover: the approval is
claimed (EXECUTING) before the call, so a duplicated or retried task finds it
claimed and does nothing; the webhook's receiver gets an Idempotency-Key, and an ad platform's
campaign is read before anything is written again. An ad platform's attempt has a lease
(`lease_of`, handed to it as the request's deadline): silent past it, it is read back
(hitl.services.read_back).
"""

from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, gettext_noop

from agents.actions import ActionType
from agents.executors import (
    ExecutionError,
    ExecutionRequest,
    LedgerExecutor,
    RetryableExecutionError,
    get_executor,
    reads_back,
)
from agents.tenant_actions import RunBy
from agents.tenant_actions.registry import TenantActionSpec, spec_for
from core.commit import after_commit
from core.metrics import EXECUTIONS_FAILED, inc_on_commit
from core.sentence import Sentence
from hitl.access import get_approval_for_user
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import ApprovalStatus, ExecutionStatus, HITLApproval
from hitl.notifying import told
from hitl.notifying.announce import announce
from tenants.access import Need

# By name: hitl.tasks imports this module to run the execution.
EXECUTE_TASK = "hitl.tasks.execute_approval"


class Outcome(models.TextChoices):
    """What one run of an execution came to: the task's result."""

    EXECUTED = "executed", gettext_lazy("Done")
    FAILED = "failed", gettext_lazy("Failed to run")
    RETRY = "retry", gettext_lazy("Will run again")  # the task calls again later
    SKIPPED = "skipped", gettext_lazy("Nothing to run")
    SUPERSEDED = "superseded", gettext_lazy("Given up while it ran")  # its late answer is only recorded


def runs_in_walker(approval: HITLApproval) -> bool:
    """Whether Walker carries out the approved action: always for its own agents' proposals; for an agent outside
    Walker, only when its type runs by Walker's executors (`runs_by` webhook), not by the agent, which receives the
    decision (and reports the outcome, issue 49)."""
    if approval.outside is None:
        return True
    spec = spec_for(approval.action_type, approval.tenant)
    return not isinstance(spec, TenantActionSpec) or spec.runs_by != RunBy.AGENT


def queue_execution(approval: HITLApproval, *, now=None) -> list[str]:
    """Run the approved action in a worker once the approval's transaction has committed.

    Returns the fields it set, for the caller's save.
    """
    approval.execution_queued_at = now or timezone.now()
    after_commit(current_app.tasks[EXECUTE_TASK], str(approval.pk))
    return ["execution_queued_at"]


def request_for(approval: HITLApproval, *, deadline=None) -> ExecutionRequest:
    return ExecutionRequest(
        tenant=approval.tenant,
        approval_id=str(approval.pk),
        reference=approval.reference,
        action_type=approval.action_type,
        action_data=approval.action_data,
        approved_at=approval.approved_at,
        deadline=deadline,
    )


def lease_of(executor) -> timedelta | None:
    """How long an attempt of `executor` has before it writes nothing more: an executor that can read back what it
    did (an ad platform's) has PLATFORM_CHANGE_LEASE_SECONDS; the others have no lease."""
    return timedelta(seconds=settings.PLATFORM_CHANGE_LEASE_SECONDS) if reads_back(executor) else None


def _claim(approval: HITLApproval) -> None:
    if approval.status == ApprovalStatus.APPROVED:
        approval.mark_executing()
    approval.execution_status = ExecutionStatus.RUNNING
    approval.execution_attempts += 1
    approval.execution_started_at = timezone.now()
    approval.save(update_fields=["status", "execution_status", "execution_attempts", "execution_started_at"])


def _claimable(approval: HITLApproval) -> bool:
    """Approved and not yet claimed, or claimed and waiting for its next retry."""
    return approval.status == ApprovalStatus.APPROVED or (
        approval.status == ApprovalStatus.EXECUTING and approval.execution_status == ExecutionStatus.RETRYING
    )


def record_success(approval: HITLApproval, result, **metadata) -> None:
    approval.mark_executed()
    approval.executed_at = timezone.now()
    approval.execution_status = ExecutionStatus.SUCCEEDED
    # The detail as text where text is read (the API, the outside agent, notices): as the requester is told it; the
    # history keeps it as its sentence, told in each reader's language.
    approval.execution_result = {"before": result.before, "after": result.after, "detail": str(result.detail)}
    if result.outcome:  # what the receiver reported (an ad platform's units and currency)
        approval.execution_result["outcome"] = result.outcome
    approval.execution_error = ""
    approval.save(update_fields=["status", "executed_at", "execution_status", "execution_result", "execution_error"])
    done = Sentence(gettext_noop("Done: %(detail)s"), detail=result.detail)
    log(approval, Event.EXECUTED, done, previous_status=ApprovalStatus.EXECUTING, **metadata)
    announce(approval, lambda: told.done(result.detail))


def action_type_label(action_type: str) -> str:
    """A metric's label: Walker's own types by name, every type a tenant registered as one value, so a tenant's
    names never reach a scrape and the series stay bounded."""
    return action_type if action_type in ActionType.values else "tenant_defined"


def record_failure(approval: HITLApproval, error: Exception, *, tell=None, **metadata) -> None:
    approval.mark_failed()
    approval.execution_status = ExecutionStatus.FAILED
    approval.execution_error = str(error)[:2000]
    approval.save(update_fields=["status", "execution_status", "execution_error"])
    failed = Sentence(gettext_noop("Execution failed: %(error)s"), error=_said(error))
    log(approval, Event.EXECUTION_FAILED, failed, previous_status=ApprovalStatus.EXECUTING, **metadata)
    inc_on_commit(EXECUTIONS_FAILED, action_type=action_type_label(approval.action_type))
    announce(approval, tell or (lambda: told.not_done(approval, str(error))))


def _said(error: Exception) -> str | Sentence:
    """What the history keeps of an error: Walker's own sentence when it wrote one, else the error's text."""
    return error.said if isinstance(error, ExecutionError) else str(error)


def run_execution(approval_id, *, max_attempts: int, on_retry: Callable[[float | None], None] | None = None) -> Outcome:
    """Execute once; what it came to. `on_retry` hears the delay the receiver asked for (seconds, or None: the
    task's own backoff) when the outcome is a retry."""
    approval = HITLApproval.objects.select_related("tenant", "requested_by").get(pk=approval_id)
    executor = get_executor(request_for(approval))  # chosen per action: a synced campaign is changed on its platform
    # What the execution writes (its detail, the history lines) is read first by whoever asked for it, in the
    # outcome they are told: it is written in their language.
    with translation.override(told.requesters_language(approval)):
        if isinstance(executor, LedgerExecutor):
            return _run_ledger(approval_id, executor)
        return _run_remote(approval_id, executor, max_attempts=max_attempts, on_retry=on_retry)


def _locked(approval_id) -> HITLApproval:
    """The approval, locked alone (with its tenant read): a FOR UPDATE reaching the tenant's row would hold every
    insert that names the tenant (a message, an event) until the execution ends."""
    locking = HITLApproval.objects.select_for_update(no_key=True, of=("self",))
    return locking.select_related("tenant").get(pk=approval_id)


@transaction.atomic
def _run_ledger(approval_id, executor) -> Outcome:
    approval = _locked(approval_id)
    if not _claimable(approval):
        return Outcome.SKIPPED
    _claim(approval)
    try:
        with transaction.atomic():  # a refused change leaves no partial write behind
            result = executor.execute(request_for(approval))
    except ExecutionError as error:
        record_failure(approval, error)
        return Outcome.FAILED
    record_success(approval, result)
    return Outcome.EXECUTED


def _run_remote(approval_id, executor, *, max_attempts: int, on_retry=None) -> Outcome:
    with transaction.atomic():
        approval = _locked(approval_id)
        if not _claimable(approval):
            return Outcome.SKIPPED
        _claim(approval)
        log(
            approval,
            Event.EXECUTION_STARTED,
            Sentence(
                gettext_noop("Sending to %(destination)s (attempt %(attempt)s)."),
                destination=executor.destination,
                attempt=approval.execution_attempts,
            ),
        )
    claim = approval.execution_started_at
    lease = lease_of(executor)
    try:
        result = executor.execute(request_for(approval, deadline=claim + lease if lease else None))
    except RetryableExecutionError as error:
        with transaction.atomic():
            approval = _still_claimed(approval_id, claim, f"failed: {error}")
            if approval is None:
                return Outcome.SUPERSEDED
            if approval.execution_attempts < max_attempts:
                approval.execution_status = ExecutionStatus.RETRYING
                approval.execution_error = str(error)[:2000]
                approval.execution_queued_at = timezone.now()  # the task's retry is on its way
                approval.save(update_fields=["execution_status", "execution_error", "execution_queued_at"])
                log(
                    approval,
                    Event.EXECUTION_RETRIED,
                    Sentence(
                        gettext_noop("Attempt %(attempt)s failed, will retry: %(error)s"),
                        attempt=approval.execution_attempts,
                        error=_said(error),
                    ),
                )
                if on_retry is not None:
                    on_retry(error.retry_after)
                return Outcome.RETRY
            record_failure(approval, error)
        return Outcome.FAILED
    except ExecutionError as error:
        with transaction.atomic():
            approval = _still_claimed(approval_id, claim, f"refused: {error}")
            if approval is None:
                return Outcome.SUPERSEDED
            record_failure(approval, error)
        return Outcome.FAILED
    with transaction.atomic():
        approval = _still_claimed(approval_id, claim, f"done: {result.detail}")
        if approval is None:
            return Outcome.SUPERSEDED
        record_success(approval, result)
    return Outcome.EXECUTED


def _still_claimed(approval_id, claim, answer: str) -> HITLApproval | None:
    """The approval, locked, if the attempt claimed at `claim` still owns it.

    An admin may have marked a silent attempt failed (and even run it again) before it
    answered: such a late answer is recorded in the history and changes nothing else.
    """
    approval = _locked(approval_id)
    if approval.status == ApprovalStatus.EXECUTING and approval.execution_started_at == claim:
        return approval
    log(
        approval,
        Event.EXECUTION_LATE_ANSWER,
        Sentence(
            gettext_noop("The attempt started %(when)s UTC answered after it was given up: %(answer)s."),
            when=f"{claim:%Y-%m-%d %H:%M}",
            answer=answer,
        ),
    )
    return None


def _locked_for(actor, approval_id) -> HITLApproval:
    """The approval, locked, for someone who may decide it."""
    return get_approval_for_user(actor, approval_id, Need.DECIDE, for_update=True)


def silent_window(approval: HITLApproval) -> timedelta:
    """How long an execution may stay silent before it counts as stuck: the lease of an ad-platform change (past
    it, the attempt writes nothing more), else EXECUTION_STUCK_MINUTES."""
    return lease_of(get_executor(request_for(approval))) or timedelta(minutes=settings.EXECUTION_STUCK_MINUTES)


def stuck_since(approval: HITLApproval):
    """When an execution that never reported back counts as stuck (its worker died mid-call), else None."""
    if approval.status != ApprovalStatus.EXECUTING:
        return None
    started = approval.execution_started_at or approval.approved_at
    return started + silent_window(approval) if started else None


def _window_words(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} seconds"


def abandon_execution(approval_id, *, actor, reason: str = "") -> HITLApproval:
    """An admin marks as failed an execution whose worker never reported back, so it can be run again.

    Only after EXECUTION_STUCK_MINUTES without news (an ad-platform change: its lease, past which it writes
    nothing), so a live attempt is never cut short. The receiver may have applied the action: a retry resends the
    same Idempotency-Key, and an ad platform's campaign is read before anything is written.
    """
    with transaction.atomic():
        approval = _locked_for(actor, approval_id)
        due = stuck_since(approval)
        if due is None:
            raise DecisionError(
                "not_executing",
                f"Only a running execution can be marked failed; {approval.reference} is {approval.status}.",
            )
        if timezone.now() < due:
            raise DecisionError(
                "not_stuck",
                f"{approval.reference} is still within its {_window_words(silent_window(approval))} to report back.",
            )
        note = f" ({reason.strip()})" if reason.strip() else ""
        error = RuntimeError(
            f"No answer from the execution; marked failed by {actor}{note}. "
            "The receiver may have applied it: check before running it again."
        )
        record_failure(approval, error, tell=lambda: told.not_confirmed(approval))
        log(
            approval,
            Event.EXECUTION_ABANDONED,
            Sentence(gettext_noop("%(actor)s marked the silent execution failed%(note)s."), actor=actor, note=note),
            actor=actor,
        )
    return approval


def retry_execution(approval_id, *, actor) -> HITLApproval:
    """An admin asks to run a failed action again."""
    with transaction.atomic():
        approval = _locked_for(actor, approval_id)
        if approval.status != ApprovalStatus.FAILED:
            raise DecisionError(
                "not_failed", f"Only a failed action can be retried; {approval.reference} is {approval.status}."
            )
        approval.mark_retry()
        approval.execution_status = ExecutionStatus.QUEUED
        approval.execution_attempts = 0
        queued = queue_execution(approval)
        approval.save(update_fields=["status", "execution_status", "execution_attempts", *queued])
        log(
            approval,
            Event.EXECUTION_RETRIED,
            Sentence(gettext_noop("%(actor)s asked to run it again."), actor=actor),
            actor=actor,
            previous_status=ApprovalStatus.FAILED,
        )
    return approval
