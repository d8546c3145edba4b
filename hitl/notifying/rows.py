"""What the send of a notification and the provider's later word about it share: queueing rows to be sent after
commit and the platform event of each outcome (the reason a send failed is kept as `tenants.pii.redacted_reason`
gives it)."""

from celery import current_app

from analytics.events import record
from analytics.models import EventType
from core.commit import after_commit
from hitl.models import HITLNotification

# By name: hitl.tasks imports this module (through hitl.services.sla).
SEND_TASK = "hitl.tasks.send_notification"


def send_after_commit(rows: list[HITLNotification]) -> list[HITLNotification]:
    """Write the rows at once; each is sent by its own task after commit."""
    HITLNotification.objects.bulk_create(rows)
    for row in rows:
        after_commit(current_app.tasks[SEND_TASK], str(row.pk))
    return rows


OUTCOME_EVENTS = {
    HITLNotification.Status.SENT: EventType.NOTIFICATION_SENT,
    HITLNotification.Status.DELIVERED: EventType.NOTIFICATION_DELIVERED,
    HITLNotification.Status.FAILED: EventType.NOTIFICATION_FAILED,
}


def record_outcome(row: HITLNotification, **details) -> None:
    record(
        OUTCOME_EVENTS[row.status],
        tenant=row.tenant_id,
        user=row.recipient,
        subject_id=row.pk,
        approval_id=str(row.approval_id),
        channel=row.channel,
        event=row.event,
        **details,
    )
