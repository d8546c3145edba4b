"""SendGrid's Event Webhook, once verified (channels_app.email.verify): its events applied to the log, notification
and message.

Statuses only move forward (EmailDeliveryLog.RANK, MESSAGE_RANK) and never out of failed; every event may arrive
twice or out of order.
"""

from datetime import UTC, datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from channels_app.email.send import LOG_ARG
from conversations.models import Message
from conversations.services import mark_failed
from core.metrics import EMAIL_EVENTS, inc_on_commit
from hitl.notifying import deliveries
from tenants.models import UndeliverableAddress

Status = EmailDeliveryLog.Status
# SendGrid event → the delivery log's status, and the timestamp column it fills.
LOG_STATUS = {
    "processed": (Status.SENT, None),
    "deferred": (Status.DEFERRED, None),
    "delivered": (Status.DELIVERED, "delivered_at"),
    "open": (Status.OPENED, "opened_at"),
    "click": (Status.CLICKED, "clicked_at"),
    "bounce": (Status.BOUNCED, "bounced_at"),
    "dropped": (Status.DROPPED, None),
    "spamreport": (Status.SPAM, None),
}
MESSAGE_RANK = {Message.Status.PENDING: 0, Message.Status.SENT: 1, Message.Status.DELIVERED: 2, Message.Status.READ: 3}
MESSAGE_STATUS = {
    "processed": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "open": Message.Status.READ,
    "click": Message.Status.READ,
}
UNDELIVERED = {"bounce", "dropped"}


def apply(events: list[dict]) -> int:
    """Apply each event; returns how many named a Walker email."""
    applied = 0
    for event in events:
        if isinstance(event, dict) and event.get("event") in LOG_STATUS and event.get(LOG_ARG):
            with transaction.atomic():
                applied += _apply(event)
    return applied


def _at(event: dict):
    try:
        return datetime.fromtimestamp(int(event.get("timestamp")), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def _apply(event: dict) -> int:
    kind, at = event["event"], _at(event)
    log = EmailDeliveryLog.objects.select_for_update(no_key=True).filter(pk=_uuid(event[LOG_ARG])).first()
    if log is None:
        return 0
    inc_on_commit(EMAIL_EVENTS, event=kind)
    if log.status != Status.FAILED:  # Walker gave up on it (and said so): final, whatever comes later
        _log(log, event, kind, at)
    if _hard(event):
        UndeliverableAddress.objects.get_or_create(
            email=log.to_address.lower(), defaults={"reason": kind, "detail": _reason(event)}
        )
    if event.get("walker_notification"):
        _notification(event, kind, at)
    if event.get("walker_message"):
        _message(event, kind)
    return 1


def _log(log: EmailDeliveryLog, event: dict, kind: str, at) -> None:
    status, column = LOG_STATUS[kind]
    fields = []
    if EmailDeliveryLog.RANK[status] > EmailDeliveryLog.RANK[log.status]:
        log.status = status
        fields.append("status")
    if column and getattr(log, column) is None:
        setattr(log, column, at)
        fields.append(column)
    if kind in UNDELIVERED or kind == "spamreport":
        log.failure_reason = _reason(event)
        fields.append("failure_reason")
    if fields:
        log.save(update_fields=fields)


def _hard(event: dict) -> bool:
    """A hard bounce (SendGrid types soft ones 'blocked') or a spam report."""
    return event["event"] == "spamreport" or (event["event"] == "bounce" and event.get("type", "bounce") == "bounce")


def _reason(event: dict) -> str:
    parts = [event["event"], event.get("type", ""), event.get("status", ""), event.get("reason", "")]
    return " · ".join(str(p) for p in parts if p)[:2000]


def _notification(event: dict, kind: str, at) -> None:
    notification_id = _uuid(event["walker_notification"])
    if notification_id is None:
        return
    if kind in ("delivered", "open", "click"):
        deliveries.mark_delivered(notification_id, at=at)
    elif kind in UNDELIVERED:  # a spam report came from someone who got it: later emails fall back instead
        deliveries.mark_undelivered(notification_id, f"SendGrid: {_reason(event)}")


def _message(event: dict, kind: str) -> None:
    message = Message.objects.select_for_update(no_key=True).filter(pk=_uuid(event["walker_message"])).first()
    if message is None or message.status not in MESSAGE_RANK:  # failed or blocked: final
        return
    if kind in UNDELIVERED:
        mark_failed(message, f"SendGrid: {_reason(event)}")
        return
    new = MESSAGE_STATUS.get(kind)
    if new and MESSAGE_RANK[new] > MESSAGE_RANK.get(message.status, 0):
        message.status = new
        message.save(update_fields=["status"])


def _uuid(value):
    try:
        return UUID(str(value))
    except ValueError:
        return None
