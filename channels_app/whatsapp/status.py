"""Twilio's status callbacks: queued → sent → delivered → read, or failed/undelivered with an error code.

Callbacks arrive late, twice, or out of order. Each update is one conditional UPDATE
that only moves a status forward (by RANK), so a late "sent" never undoes "read", and never
out of failed: a "read" after "failed" leaves the send, its message and notification failed.
"""

from django.utils import timezone

from channels_app.whatsapp.models import RANK, SendStatus, WhatsAppSend
from conversations.models import Message
from conversations.services import mark_failed
from core.metrics import WHATSAPP_SEND_FAILURES, inc_on_commit
from hitl.models import HITLNotification

TWILIO_STATUSES = {
    "accepted": SendStatus.QUEUED,
    "scheduled": SendStatus.QUEUED,
    "queued": SendStatus.QUEUED,
    "sending": SendStatus.QUEUED,
    "sent": SendStatus.SENT,
    "delivered": SendStatus.DELIVERED,
    "read": SendStatus.READ,
    "failed": SendStatus.FAILED,
    "undelivered": SendStatus.FAILED,
}
MESSAGE_STATUS = {
    SendStatus.SENT: Message.Status.SENT,
    SendStatus.DELIVERED: Message.Status.DELIVERED,
    SendStatus.READ: Message.Status.READ,
}
MESSAGE_RANK = {
    Message.Status.PENDING: 0,
    Message.Status.SENT: 1,
    Message.Status.DELIVERED: 2,
    Message.Status.READ: 3,
}


def below(rank: int, ranks: dict) -> list[str]:
    """The statuses an update to `rank` moves on from: lower ones, except failed (final)."""
    return [status for status, r in ranks.items() if r < rank and status != SendStatus.FAILED]


def apply(sid: str, twilio_status: str, error_code: str = "") -> bool:
    """Record a callback; False when the SID is not one Walker sent (nothing to update)."""
    status = TWILIO_STATUSES[twilio_status]
    send = WhatsAppSend.objects.filter(sid=sid).first()
    if send is None:
        return False
    now = timezone.now()
    moved = WhatsAppSend.objects.filter(sid=sid, status__in=below(RANK[status], RANK)).update(
        status=status, error_code=error_code[:10], updated_at=now
    )
    if not moved:
        return True  # late or repeated: nothing moves backwards
    if status == SendStatus.FAILED:
        inc_on_commit(WHATSAPP_SEND_FAILURES, stage="reported")
    if send.message_id:
        _message(send, status, error_code)
    if send.notification_id:
        _notification(send, status, error_code, now)
    return True


def _message(send: WhatsAppSend, status: str, error_code: str) -> None:
    if status == SendStatus.FAILED:
        message = Message.objects.get(pk=send.message_id)
        if message.status != Message.Status.READ:
            mark_failed(message, f"Twilio error {error_code or '?'}: part {send.part} was not delivered")
        return
    if status in MESSAGE_STATUS:
        target = MESSAGE_STATUS[status]
        Message.objects.filter(pk=send.message_id, status__in=below(MESSAGE_RANK[target], MESSAGE_RANK)).update(
            status=target
        )


def _notification(send: WhatsAppSend, status: str, error_code: str, now) -> None:
    rows = HITLNotification.objects.filter(pk=send.notification_id)
    rows.filter(provider_message_id="").update(provider_message_id=send.sid)
    open_rows = rows.filter(status__in=[HITLNotification.Status.PENDING, HITLNotification.Status.SENT])
    if status in (SendStatus.DELIVERED, SendStatus.READ):
        open_rows.update(status=HITLNotification.Status.DELIVERED, delivered_at=now)
    elif status == SendStatus.FAILED:
        open_rows.update(
            status=HITLNotification.Status.FAILED, failed_at=now, failure_reason=f"Twilio error {error_code or '?'}"
        )
