"""hitl's tasks retry through Celery's own options (autoretry_for, exponential backoff), not by hand; the counts
and the final failures are pinned in test_execution.py and test_notifications.py."""

from hitl import tasks
from hitl.notifying import senders


def test_an_execution_due_again_is_retried_by_celery_with_backoff():
    task = tasks.execute_approval
    assert task.autoretry_for == (tasks.ExecutionRetryDue,)
    assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter) == (30, 3600, False)
    assert task.max_retries == tasks.EXECUTION_ATTEMPTS - 1


def test_a_notification_outage_is_retried_by_celery_with_backoff():
    task = tasks.send_notification
    assert task.autoretry_for == (senders.TransientSendError,)
    assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter, task.max_retries) == (60, 3600, False, 4)
