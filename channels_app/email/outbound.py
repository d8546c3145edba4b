"""Sending one email, logged: one EmailDeliveryLog row per email, found again by its reference on a retry."""

from dataclasses import replace

from django.utils import timezone

from analytics.models import EmailDeliveryLog
from channels_app.email.providers import OutgoingEmail, ProviderRefused, ProviderUnavailable
from channels_app.email.providers import send as provider_send
from tenants.models import UndeliverableAddress

Status = EmailDeliveryLog.Status
LOG_ARG = "walker_log"  # the custom arg naming the log row in provider events


class Undeliverable(Exception):
    """The address bounced hard or reported spam before: nothing is sent to it."""


def send(email: OutgoingEmail, *, reference: str, email_type: str, tenant_id=None, user_id=None) -> EmailDeliveryLog:
    """Send once. A reference already sent returns its row; permanent failures are recorded and raised."""
    log, _ = EmailDeliveryLog.objects.get_or_create(
        reference=reference,
        defaults={
            "tenant_id": tenant_id,
            "user_id": user_id,
            "to_address": email.to,
            "email_type": email_type,
            "subject": email.subject[:300],
        },
    )
    if log.status != Status.QUEUED:
        if log.status == Status.FAILED:
            raise ProviderRefused(log.failure_reason)
        return log  # an earlier attempt was accepted
    if UndeliverableAddress.includes(email.to):
        _fail(log, f"{email.to} is marked undeliverable (hard bounce or spam report); not sent.")
        raise Undeliverable(log.failure_reason)
    log.attempts += 1
    try:
        provider, message_id = provider_send(replace(email, custom_args={**email.custom_args, LOG_ARG: str(log.pk)}))
    except ProviderUnavailable as exc:
        log.failure_reason = str(exc)
        log.save(update_fields=["attempts", "failure_reason"])
        raise
    except ProviderRefused as exc:
        _fail(log, str(exc))
        raise
    log.status, log.provider, log.message_id, log.sent_at = Status.SENT, provider, message_id, timezone.now()
    log.failure_reason = ""
    log.save(update_fields=["status", "provider", "message_id", "sent_at", "attempts", "failure_reason"])
    return log


def give_up(reference: str, reason: str) -> None:
    """The last retry failed: the row says so (only if nothing was accepted meanwhile)."""
    EmailDeliveryLog.objects.filter(reference=reference, status=Status.QUEUED).update(
        status=Status.FAILED, failure_reason=reason[:2000]
    )


def _fail(log: EmailDeliveryLog, reason: str) -> None:
    log.status, log.failure_reason = Status.FAILED, reason[:2000]
    log.save(update_fields=["status", "failure_reason", "attempts"])
