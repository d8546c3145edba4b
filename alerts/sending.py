"""Sending one AlertNotice on its channel, through the same doors as approval notifications: Walker's email provider
(Django's email API, logged in the email delivery log), the registered WhatsApp direct sender, and Slack
(`alerts.slack_notices`, registered by the app's ready()).

Another channel registers its sender here with `register_sender` and adds its `NoticeChannel` choice.
The notice's row is locked across the send: a task delivered twice at once sends once, the second finding it sent.
"""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from alerts.models import AlertNotice, NoticeChannel
from conversations.delivery import send_direct
from core.sending import TransientSendError
from tenants.languages import speaking
from tenants.models import UndeliverableAddress
from tenants.pii import redacted_reason

Sender = Callable[[AlertNotice], tuple[str, str]]  # the notice -> (provider, provider message id)


def _email(row: AlertNotice) -> tuple[str, str]:
    address = row.recipient.email
    if UndeliverableAddress.includes(address):
        raise ValueError("the address is marked undeliverable")
    with speaking(row.recipient):
        context = {"subject": row.subject, "text": row.message}
        text, html = render_to_string("email/message.txt", context), render_to_string("email/message.html", context)
    email = EmailMultiAlternatives(row.subject, text, to=[address])
    email.attach_alternative(html, "text/html")
    email.walker = {  # read by the provider backend (channels_app.email.backend)
        "reference": f"alert:{row.pk}",
        "email_type": "system",
        "tenant_id": row.tenant_id,
        "user_id": row.recipient_id,
        "custom_args": {"walker_alert_notice": str(row.pk)},
    }
    try:
        email.send()
    except ConnectionError as exc:  # the provider is unreachable or asked us to wait
        raise TransientSendError(str(exc)) from exc
    logs = getattr(email, "walker_logs", [])
    return "email", logs[0].message_id if logs else ""


def _whatsapp(row: AlertNotice) -> tuple[str, str]:
    """To the person's primary verified number; outside the 24-hour window the tenant's notification template."""
    phone = row.recipient.phone_numbers.filter(is_primary=True, verified=True).first()
    if phone is None:
        raise ValueError("the person has no verified primary phone number")
    reference = f"AL-{str(row.incident_id)[:8]}"
    summary = row.message.splitlines()[0]
    return send_direct(
        "whatsapp",
        phone.phone_number,
        f"{row.subject}\n{row.message}",
        tenant_id=row.tenant_id,
        purpose="notification",
        values={"reference": reference, "subject": row.subject, "summary": summary},
    )


SENDERS: dict[str, Sender] = {NoticeChannel.EMAIL: _email, NoticeChannel.WHATSAPP: _whatsapp}


def register_sender(channel: str, sender: Sender) -> None:
    """A channel delivered elsewhere (Slack): its sender is called with the notice and raises TransientSendError
    for what is worth retrying, anything else for a permanent failure."""
    SENDERS[channel] = sender


def send(notice_id) -> None:
    """Send a pending notice once. Permanent problems mark it failed; transient ones raise to retry."""
    with transaction.atomic():
        row = (
            AlertNotice.objects.select_for_update(of=("self",))
            .select_related("recipient", "incident__rule")
            .get(pk=notice_id)
        )
        if row.status != AlertNotice.Status.PENDING:
            return  # already sent (or failed for good) by an earlier delivery of this task
        try:
            provider, provider_id = SENDERS[row.channel](row)
        except TransientSendError:
            raise
        except Exception as exc:  # a permanent failure is recorded on the row, visible in the console
            mark_failed(notice_id, exc)
            return
        AlertNotice.objects.filter(pk=row.pk, status=AlertNotice.Status.PENDING).update(
            status=AlertNotice.Status.SENT,
            provider=provider,
            provider_message_id=provider_id or "",
            sent_at=timezone.now(),
        )


def mark_failed(notice_id, error) -> None:
    AlertNotice.objects.filter(pk=notice_id, status=AlertNotice.Status.PENDING).update(
        status=AlertNotice.Status.FAILED, failure_reason=redacted_reason(error)
    )
