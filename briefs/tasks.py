from celery import shared_task

from briefs.services import send_due_briefs


@shared_task(name="briefs.tasks.send_due_briefs", acks_late=True, expires=240)
def send_due_briefs_task():
    """Every 5 minutes (beat): the briefs whose local delivery time has come."""
    return len(send_due_briefs())
