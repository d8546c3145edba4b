"""Celery tasks: they take ids and call hitl.services; every one is safe to run twice."""

from celery import shared_task

from hitl import senders
from hitl.services.execution import Outcome, run_execution
from hitl.services.recovery import requeue_stalled
from hitl.services.sla import process_due

EXECUTION_ATTEMPTS = 5


@shared_task(bind=True, max_retries=EXECUTION_ATTEMPTS - 1, acks_late=True)
def execute_approval(self, approval_id: str) -> str:
    outcome = run_execution(approval_id, max_attempts=EXECUTION_ATTEMPTS)
    if outcome == Outcome.RETRY:
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600))
    return outcome


@shared_task(bind=True, max_retries=4, acks_late=True, expires=24 * 3600)
def send_notification(self, notification_id: str) -> None:
    try:
        senders.send(notification_id)
    except senders.TransientSendError as error:
        if self.request.retries >= self.max_retries:
            senders.mark_failed_after_retries(notification_id, error)
            return
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600)) from error


@shared_task(expires=55)
def process_deadlines() -> dict:
    """Breaches, reminders, escalations, auto-approvals and expiries that are due."""
    return dict(process_due())


@shared_task(expires=240)
def recover_executions() -> int:
    """Approved executions whose task was lost (e.g. with a killed worker) are sent again."""
    return requeue_stalled()
