"""Sending one HITLNotification on its channel and recording the outcome on the row: email, in-app and WhatsApp here,
a channel above hitl through the sender it registered (`hitl.notifying.registry`: Slack's)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from analytics.models import EmailDeliveryLog
from conversations.delivery import send_direct
from core.sending import TransientSendError
from hitl import links, presentation
from hitl.models import HITLNotification
from hitl.notifying import registry
from hitl.notifying.approvers import ASKING, Notice
from hitl.notifying.deliveries import fall_back
from hitl.notifying.rows import record_outcome
from hitl.services import step_up
from tenants.languages import speaking
from tenants.models import UndeliverableAddress
from tenants.pii import redacted_reason

EMAIL_TYPES = {
    Notice.CREATED: "approval",
    Notice.REMINDER: "reminder",
    Notice.ESCALATED: "escalation",
    Notice.DECIDED: "outcome",
    Notice.OUTCOME: "outcome",
}


def _email(row: HITLNotification) -> tuple[str, str]:
    """Through Walker's email provider (settings.EMAIL_BACKEND). Emails that ask for a decision carry the
    recipient's one-click links, made here at send time and never stored on the row: the admin shows
    notification rows, and a stored link would let its reader act as the approver.

    An address that bounced hard or reported spam gets nothing: the person is told on their other channels.
    """
    if UndeliverableAddress.includes(row.recipient_email):
        told = ", ".join(new.channel for new in fall_back(row)) or "no other channel"
        raise ValueError(f"The address is marked undeliverable; told on {told} instead.")
    context = {"subject": row.subject, "message": row.message, "approval": row.approval}
    with speaking(row.recipient):  # the subject and message were written in it (notify)
        if row.event in ASKING and row.recipient is not None:
            context |= {
                "admin_url": links.approval_url(row.approval),
                "hours": links.lifetime_hours(),
                "ask_lines": presentation.ask_lines(presentation.the_ask(row.approval)),
            }
            if step_up.needed(row.approval):  # no one-click link could decide it: the console, with a second factor
                context |= {"step_up": True, "step_up_minutes": row.approval.tenant.step_up_minutes}
            else:
                context |= {
                    "approve_url": links.make_link(row.approval, row.recipient, "approve"),
                    "reject_url": links.make_link(row.approval, row.recipient, "reject"),
                }
            text = render_to_string("hitl/email_approval.txt", context)
            html = render_to_string("hitl/email_approval.html", context)
        else:
            context |= {"text": row.message}
            text = render_to_string("email/message.txt", context)
            html = render_to_string("email/message.html", context)
    email = EmailMultiAlternatives(
        row.subject, text, to=[row.recipient_email], reply_to=[f"reply@{settings.SENDGRID_INBOUND_DOMAIN}"]
    )
    email.attach_alternative(html, "text/html")
    email.walker = {  # read by the provider backend (channels_app.email.backend)
        "reference": f"notification:{row.pk}",
        "email_type": EMAIL_TYPES.get(row.event, "system"),
        "tenant_id": row.tenant_id,
        "user_id": row.recipient_id,
        "custom_args": {"walker_notification": str(row.pk)},
    }
    try:
        email.send()
    except ConnectionError as exc:  # the provider is unreachable or asked us to wait
        raise TransientSendError(str(exc)) from exc
    logs = getattr(email, "walker_logs", [])  # absent under Django's test backend
    return f"email:{settings.EMAIL_PROVIDER}", logs[0].message_id if logs else ""


def _in_app(row: HITLNotification) -> tuple[str, str]:
    """Nothing to push: the row is the notification, in its recipient's list (/api/hitl/notifications/). The live
    console already shows the event it tells of, as hitl.history publishes every one; pushing it too showed it twice."""
    return "channels", ""


def _whatsapp(row: HITLNotification) -> tuple[str, str]:
    """To the approver's primary verified number; outside the 24-hour window the tenant's notification template."""
    phone = row.recipient.phone_numbers.filter(is_primary=True, verified=True).first() if row.recipient else None
    if phone is None:
        raise ValueError("the approver has no verified primary phone number")
    row.recipient_phone = phone.phone_number
    approval = row.approval
    text = f"{row.subject}\n{row.message}"
    if row.event in ASKING:
        with speaking(row.recipient):
            reply = gettext("Reply “approve %(reference)s” or “reject %(reference)s <reason>”.")
        text += "\n\n" + reply % {"reference": approval.reference}
    with speaking(row.recipient):
        summary = approval.summary
    values = {"reference": approval.reference, "subject": row.subject, "summary": summary}
    return send_direct(
        "whatsapp",
        phone.phone_number,
        text,
        tenant_id=row.tenant_id,
        purpose="notification",
        values=values,
        notification_id=row.pk,
    )


SENDERS = {
    HITLNotification.Channel.EMAIL: _email,
    HITLNotification.Channel.IN_APP: _in_app,
    HITLNotification.Channel.WHATSAPP: _whatsapp,
}


def _sender(channel: str):
    if channel in SENDERS:
        return SENDERS[channel]
    registered = registry.sender_for(channel)
    if registered is None:
        raise ValueError(f"no sender is registered for the {channel} channel")
    return registered.send


def send(notification_id) -> None:
    """Send a pending notification once. Permanent problems mark it failed; transient ones raise to retry."""
    row = HITLNotification.objects.select_related("approval__tenant", "recipient").get(pk=notification_id)
    if row.status != HITLNotification.Status.PENDING:
        return  # already sent by an earlier delivery of this task
    try:
        provider, provider_id = _sender(row.channel)(row)
    except TransientSendError:
        raise
    except Exception as exc:  # a permanent failure is recorded on the row, visible in the admin
        row.status = HITLNotification.Status.FAILED
        row.failed_at = timezone.now()
        row.failure_reason = redacted_reason(exc)
        row.save(update_fields=["status", "failed_at", "failure_reason", "recipient_phone"])
        record_outcome(row, reason=row.failure_reason[:200])
        return
    row.provider, row.provider_message_id = provider, provider_id or ""
    row.sent_at = timezone.now()
    sent = {f: getattr(row, f) for f in ("provider", "provider_message_id", "sent_at", "recipient_phone")}
    status = HITLNotification.Status.DELIVERED if row.channel == "in_app" else HITLNotification.Status.SENT
    # Forward only: a delivery callback may have come in while the provider was still answering.
    if HITLNotification.objects.filter(pk=row.pk, status=HITLNotification.Status.PENDING).update(status=status, **sent):
        row.status = status
    else:
        HITLNotification.objects.filter(pk=row.pk).update(**sent)
        row.refresh_from_db(fields=["status"])
    record_outcome(row, provider=provider)


def mark_failed_after_retries(notification_id, error: Exception) -> None:
    reason = redacted_reason(f"gave up: {error}")
    changed = HITLNotification.objects.filter(pk=notification_id, status=HITLNotification.Status.PENDING).update(
        status=HITLNotification.Status.FAILED, failed_at=timezone.now(), failure_reason=reason
    )
    if changed:
        record_outcome(
            HITLNotification.objects.select_related("recipient").get(pk=notification_id), reason=reason[:200]
        )
        EmailDeliveryLog.objects.filter(
            reference=f"notification:{notification_id}", status=EmailDeliveryLog.Status.QUEUED
        ).update(status=EmailDeliveryLog.Status.FAILED, failure_reason=reason)
