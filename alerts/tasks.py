"""The beat job that evaluates every enabled rule, and the send of each notice (retried with backoff)."""

from celery import Task, shared_task

from alerts import evaluation, sending
from core.sending import TransientSendError


@shared_task(expires=55)
def evaluate_rules() -> dict:
    """Every enabled alert rule against its threshold: incidents opened and cleared, their notices queued."""
    return evaluation.evaluate_all()


class NoticeTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries: the notice is recorded as failed, visible in the console."""
        if isinstance(exc, TransientSendError):
            sending.mark_failed(args[0] if args else kwargs["notice_id"], f"gave up: {exc}")


@shared_task(
    base=NoticeTask,
    acks_late=True,
    expires=24 * 3600,
    autoretry_for=(TransientSendError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=4,
)
def send_notice(notice_id: str) -> None:
    sending.send(notice_id)
