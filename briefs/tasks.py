from celery import shared_task

from briefs.services import send_brief_now, send_due_briefs
from tenants.models import User


@shared_task(name="briefs.tasks.send_due_briefs", acks_late=True, expires=240)
def send_due_briefs_task():
    """Every 5 minutes (beat): the briefs whose local delivery time has come."""
    return len(send_due_briefs())


@shared_task(name="briefs.tasks.send_brief_now", acks_late=True)
def send_brief_now_task(user_id: str) -> str:
    """Today's brief for someone who asked for it (briefs.asked); a redelivered task finds the day's row taken."""
    user = User.objects.filter(pk=user_id, is_active=True, tenant__isnull=False).select_related("tenant").first()
    if user is None:
        return "gone"
    return send_brief_now(user).status
