"""Sending email, logged: one EmailDeliveryLog row per email, found again by its reference on a retry."""

from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from channels_app.email.providers import OutgoingEmail, ProviderRefused, ProviderUnavailable
from channels_app.email.providers import send as provider_send
from core.bulk import update_each
from tenants.models import UndeliverableAddress

Status = EmailDeliveryLog.Status
LOG_ARG = "walker_log"  # the custom arg naming the log row in provider events
OUTCOME_FIELDS = ["status", "provider", "message_id", "sent_at", "attempts", "failure_reason"]


class Undeliverable(Exception):
    """The address bounced hard or reported spam before: nothing is sent to it."""


@dataclass(frozen=True)
class Addressed:
    """One email of a batch, with what its log row needs."""

    email: OutgoingEmail
    reference: str
    tenant_id: object = None
    user_id: object = None


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
    try:
        _hand_over(log, email, undeliverable=UndeliverableAddress.includes(email.to))
    finally:
        log.save(update_fields=OUTCOME_FIELDS)
    return log


def send_batch(batch: list[Addressed], *, email_type: str) -> list[EmailDeliveryLog | Exception]:
    """Many new emails (the daily briefs): their log rows are written in one statement and their outcomes in one
    more, instead of three a piece. Each is handed to the provider on its own; a failure (recorded on its row,
    as by `send`) is returned in its place, not raised. References seen before fall back to `send`, one by one."""
    logs = [
        EmailDeliveryLog(
            reference=item.reference,
            tenant_id=item.tenant_id,
            user_id=item.user_id,
            to_address=item.email.to,
            email_type=email_type,
            subject=item.email.subject[:300],
        )
        for item in batch
    ]
    try:
        with transaction.atomic():
            EmailDeliveryLog.objects.bulk_create(logs)
    except IntegrityError:
        return [_send_or_error(item, email_type) for item in batch]
    undeliverable = UndeliverableAddress.among([item.email.to for item in batch])
    outcomes = []
    for log, item in zip(logs, batch, strict=True):
        try:
            _hand_over(log, item.email, undeliverable=item.email.to in undeliverable)
        except (Undeliverable, ProviderRefused, ProviderUnavailable) as error:
            log.status = Status.FAILED  # no retry here: the batch's caller records the failure and moves on
            outcomes.append(error)
        else:
            outcomes.append(log)
    update_each(logs, OUTCOME_FIELDS)
    return outcomes


def _send_or_error(item: Addressed, email_type: str) -> EmailDeliveryLog | Exception:
    try:
        return send(
            item.email, reference=item.reference, email_type=email_type, tenant_id=item.tenant_id, user_id=item.user_id
        )
    except (Undeliverable, ProviderRefused, ProviderUnavailable) as error:
        return error


def _hand_over(log: EmailDeliveryLog, email: OutgoingEmail, *, undeliverable: bool) -> None:
    """Give the email to the provider and note the outcome on `log` (saving is the caller's); raises as
    the provider did: ProviderUnavailable leaves the row queued for a retry."""
    if undeliverable:
        _fail(log, f"{email.to} is marked undeliverable (hard bounce or spam report); not sent.")
        raise Undeliverable(log.failure_reason)
    log.attempts += 1
    try:
        provider, message_id = provider_send(replace(email, custom_args={**email.custom_args, LOG_ARG: str(log.pk)}))
    except ProviderUnavailable as exc:
        log.failure_reason = str(exc)
        raise
    except ProviderRefused as exc:
        _fail(log, str(exc))
        raise
    log.status, log.provider, log.message_id, log.sent_at = Status.SENT, provider, message_id, timezone.now()
    log.failure_reason = ""


def give_up(reference: str, reason: str) -> None:
    """The last retry failed: the row says so (only if nothing was accepted meanwhile)."""
    EmailDeliveryLog.objects.filter(reference=reference, status=Status.QUEUED).update(
        status=Status.FAILED, failure_reason=reason[:2000]
    )


def _fail(log: EmailDeliveryLog, reason: str) -> None:
    log.status, log.failure_reason = Status.FAILED, reason[:2000]
