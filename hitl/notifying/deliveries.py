"""What the email provider later says about a sent notification: delivered, or bounced (then other channels)."""

from django.db import transaction
from django.utils import timezone

from hitl.models import HITLNotification
from hitl.notifying.rows import record_outcome, send_after_commit
from tenants.pii import redacted_reason

Status = HITLNotification.Status
Channel = HITLNotification.Channel


def mark_delivered(notification_id, *, at=None) -> bool:
    """Sent → delivered (never backwards: a failed or delivered row stays as it is)."""
    changed = HITLNotification.objects.filter(pk=notification_id, status=Status.SENT).update(
        status=Status.DELIVERED, delivered_at=at or timezone.now()
    )
    if changed:
        record_outcome(HITLNotification.objects.select_related("recipient").get(pk=notification_id))
    return bool(changed)


@transaction.atomic
def mark_undelivered(notification_id, reason: str) -> list[HITLNotification]:
    """The email never arrived (bounce, drop): the row fails and the person hears on their other channels."""
    row = (
        HITLNotification.objects.select_for_update(no_key=True, of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id)
        .exclude(status=Status.FAILED)
        .first()
    )
    if row is None:
        return []
    row.status, row.failed_at, row.failure_reason = Status.FAILED, timezone.now(), redacted_reason(reason)
    row.save(update_fields=["status", "failed_at", "failure_reason"])
    record_outcome(row, reason=row.failure_reason[:200])
    return fall_back(row)


def fall_back(row: HITLNotification) -> list[HITLNotification]:
    """Tell the person of a failed email notification on their other channels: in the app, and WhatsApp
    when they have a primary phone; channels they were already told on are skipped."""
    if row.recipient is None:
        return []
    channels = [Channel.IN_APP]
    if row.recipient.phone_numbers.filter(is_primary=True).exists():
        channels.append(Channel.WHATSAPP)
    told = set(
        HITLNotification.objects.filter(
            approval_id=row.approval_id, recipient=row.recipient, event=row.event, reminder_number=row.reminder_number
        ).values_list("channel", flat=True)
    )
    rows = [
        HITLNotification(
            tenant_id=row.tenant_id,
            approval_id=row.approval_id,
            channel=channel,
            recipient=row.recipient,
            recipient_email=row.recipient_email,
            event=row.event,
            subject=row.subject,
            message=row.message,
            template=row.template,
            is_reminder=row.is_reminder,
            reminder_number=row.reminder_number,
        )
        for channel in channels
        if channel not in told
    ]
    return send_after_commit(rows)
