"""The ad platforms' Celery tasks: the beats' fan-outs of connections, one connection's sync or reconciliation,
and the run of the due performance rules. Their names start with `adplatforms.tasks.` (routed to the bulk queue)."""

from celery import shared_task

from adplatforms import reconcile, schedule, sync
from adplatforms.models import AdConnection
from adplatforms.recommendations import settling
from adplatforms.rules import running
from core.commit import after_commit

MAX_RETRIES = 5
BACKOFF_SECONDS, BACKOFF_MAX = 60, 3600


def backoff(retries: int, asked: float | None) -> int:
    """The wait before the next attempt: what the platform asked for, at least Walker's own exponential backoff."""
    own = min(BACKOFF_SECONDS * 2**retries, BACKOFF_MAX)
    return int(max(own, asked or 0))


@shared_task(expires=55)
def sync_due_connections() -> int:
    """Every minute: queue a sync of each connection that is due (claimed once, whichever beat runs)."""
    claimed = schedule.claim_due()
    for pk in claimed:
        after_commit(sync_connection, str(pk))
    return len(claimed)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def sync_connection(self, connection_id: str) -> str:
    """Sync one connection. A quota refusal or an outage is retried by Celery after the time the platform asked for
    (or a growing backoff), up to MAX_RETRIES; an expired authorisation or a refusal is never retried."""
    connection = AdConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return "gone"
    try:
        run = sync.sync_connection(connection)
    except sync.NotSyncable as err:
        if err.retry_after is None:  # disconnected, or waiting for new credentials: nothing to wait for
            return "skipped"
        raise self.retry(countdown=backoff(0, err.retry_after)) from None
    failure = run.failure
    if failure is not None and failure.retryable:
        raise self.retry(countdown=backoff(self.request.retries, getattr(failure, "retry_after", None)))
    return run.status


@shared_task(expires=3600)
def reconcile_accounts() -> int:
    """Daily: queue the reconciliation of each usable connection, each claimed once a day whichever beat runs."""
    claimed = schedule.claim_reconciliations()
    for pk in claimed:
        after_commit(reconcile_connection, str(pk))
    return len(claimed)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def reconcile_connection(self, connection_id: str) -> str:
    """Reconcile one connection's completed days; retried as a sync is (a quota refusal, an outage)."""
    connection = AdConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return "gone"
    try:
        outcome = reconcile.reconcile_connection(connection)
    except sync.NotSyncable as err:
        if err.retry_after is None:
            return "skipped"
        raise self.retry(countdown=backoff(0, err.retry_after)) from None
    failure = outcome.failure
    if failure is not None:
        if failure.retryable:
            raise self.retry(countdown=backoff(self.request.retries, getattr(failure, "retry_after", None)))
        return "failed"
    return f"{len(outcome.days)} days, {len(outcome.mismatched)} mismatched"


@shared_task(expires=55)
def run_due_rules() -> int:
    """Every minute: run the performance rules that are due (each claimed once, whichever beat runs)."""
    return running.run_due()


@shared_task(expires=55)
def settle_recommendations() -> int:
    """Every minute: the platforms' recommendations whose proposal was decided follow it (a rejected one dismissed on
    the platform, once, whichever beat runs)."""
    return settling.settle_all()
