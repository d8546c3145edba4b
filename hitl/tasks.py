"""Celery tasks: they take ids and call hitl.services; every one is safe to run twice."""

from celery import Task, shared_task

from hitl import callbacks
from hitl.notifying import senders
from hitl.services.execution import Outcome, run_execution
from hitl.services.read_back import read_back_silent
from hitl.services.recovery import requeue_stalled
from hitl.services.sla import process_due

EXECUTION_ATTEMPTS = 5
LONGEST_RETRY_DELAY = 3600  # seconds: the backoff's ceiling, which hitl.services.recovery waits beyond


class ExecutionRetryDue(Exception):
    """The executor asked to be called again later; its attempts are counted on the approval, which fails itself
    at the last one, so Celery's count is never the one that ends it."""


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ExecutionRetryDue,),
    retry_backoff=30,
    retry_backoff_max=LONGEST_RETRY_DELAY,
    retry_jitter=False,
    max_retries=EXECUTION_ATTEMPTS - 1,
)
def execute_approval(self, approval_id: str) -> str:
    asked = []  # the delay the receiver asked for (an ad platform's quota), if it said one
    outcome = run_execution(approval_id, max_attempts=EXECUTION_ATTEMPTS, on_retry=asked.append)
    if outcome == Outcome.RETRY:
        if asked and asked[0] is not None:
            # The platform refused before doing anything and said when to come back: its delay, not the backoff.
            raise self.retry(countdown=min(max(asked[0], 1), LONGEST_RETRY_DELAY))
        raise ExecutionRetryDue(approval_id)
    return outcome


class NotificationTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries: the notification is recorded as failed, visible in the admin."""
        if isinstance(exc, senders.TransientSendError):
            senders.mark_failed_after_retries(args[0] if args else kwargs["notification_id"], exc)


@shared_task(
    base=NotificationTask,
    acks_late=True,
    expires=24 * 3600,
    autoretry_for=(senders.TransientSendError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=4,
)
def send_notification(notification_id: str) -> None:
    senders.send(notification_id)


@shared_task(bind=True, acks_late=True, max_retries=None)  # the row counts the attempts and fails itself
def send_decision_callback(self, callback_id: str) -> str:
    try:
        return callbacks.deliver(callback_id)
    except callbacks.RetryLater as later:
        raise self.retry(countdown=later.seconds) from later


@shared_task(expires=240)
def requeue_lost_callbacks() -> int:
    """Decision callbacks whose task was lost (a broker restart) are sent again."""
    return callbacks.requeue_lost()


@shared_task(expires=55)
def process_deadlines() -> dict:
    """Breaches, reminders, escalations, auto-approvals and expiries that are due."""
    return dict(process_due())


@shared_task(expires=240)
def recover_executions() -> int:
    """Approved executions whose task was lost (e.g. with a killed worker) are sent again."""
    return requeue_stalled()


@shared_task(expires=14)
def read_back_silent_executions() -> int:
    """Ad-platform changes whose worker went silent past their lease are read back and ended as the platform says."""
    return read_back_silent()
