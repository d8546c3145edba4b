"""Sending the briefs that are due: claim the (user, day) rows, compose, send, record. Safe to run at once from
several beat processes or workers, and again after a crash: the unique row lets one through per day.

Briefs go in chunks: one statement claims a chunk's rows (the unique constraint drops the ones another
process has), one reads its readers' pending approvals, one records the outcomes. A crash in the middle of
a chunk leaves its rows "sending": nothing is sent twice, and the email log tells which went out. A send
the provider could not take (an outage, not a refusal) is tried again by the next runs, up to
MAX_ATTEMPTS times, while the brief is still fresh (briefs.schedule's six hours).
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from briefs.content import compose, decided_for, pending_for
from briefs.models import DailyBrief
from briefs.render import as_html, as_text, subject
from briefs.schedule import STALE_AFTER, Due, due_now, local_date_of
from briefs.unsubscribe import unsubscribe_url
from channels_app.email import send
from channels_app.email.providers import OutgoingEmail, ProviderUnavailable
from core.bulk import update_each
from tenants.languages import speaking
from tenants.models import UserEmailPreference

log = logging.getLogger(__name__)
CHUNK = 250
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)  # the next beat run
Status = DailyBrief.Status


@dataclass(frozen=True)
class Outcome:
    user_email: str
    local_date: str
    status: str  # sent | skipped | failed | would_send | would_skip | already_sent
    detail: str = ""


def send_due_briefs(now: datetime | None = None, *, dry_run: bool = False) -> list[Outcome]:
    now = now or timezone.now()
    due = due_now(now)
    if dry_run:
        return [
            Outcome(d.preference.user.email, str(d.local_date), "would_skip" if d.is_stale_at(now) else "would_send")
            for d in due
        ]
    shared, outcomes = {}, []
    for start in range(0, len(due), CHUNK):
        outcomes += _send_chunk(due[start : start + CHUNK], now, shared)
    return outcomes + _retry_unavailable(now, shared)


def _retry_unavailable(now: datetime, shared: dict) -> list[Outcome]:
    """Send again the fresh briefs the provider could not take earlier; each is claimed by one process."""
    with transaction.atomic():
        waiting = list(
            DailyBrief.objects.filter(
                status=Status.FAILED,
                retry_after__lte=now,
                due_at__gt=now - STALE_AFTER,
                attempts__lt=MAX_ATTEMPTS,
                user__is_active=True,
            )
            .select_related("user__tenant", "user__email_preference")
            .select_for_update(skip_locked=True, of=("self",))[:CHUNK]
        )
        DailyBrief.objects.filter(pk__in=[brief.pk for brief in waiting]).update(
            status=Status.SENDING, retry_after=None, attempts=F("attempts") + 1
        )
    claimed = []
    for brief in waiting:
        preference = _preference_of(brief.user)
        brief.status, brief.retry_after, brief.attempts = Status.SENDING, None, brief.attempts + 1
        claimed.append((Due(preference, brief.local_date, brief.due_at), brief))
    return _send_claimed(claimed, now, shared, again=True)


def _preference_of(user) -> UserEmailPreference:
    try:
        preference = user.email_preference
    except UserEmailPreference.DoesNotExist:
        preference = UserEmailPreference(user=user)
    preference.user = user
    return preference


def send_brief_now(user, now: datetime | None = None) -> Outcome:
    """Today's brief at once, asked for by a reply: it counts as the day's brief (a day has one).

    Sent even when the reader has turned the daily email off (they asked); a brief the schedule skipped or
    failed to send is sent now; one already sent is not sent again, the outcome says when it went.
    """
    now = now or timezone.now()
    preference = UserEmailPreference.objects.filter(user=user).first() or UserEmailPreference(user=user)
    preference.user = user
    due = Due(preference, local_date_of(preference, now), now)
    outcomes = _send_chunk([due], now, {}, detail="asked for by reply")
    if outcomes:
        return outcomes[0]
    earlier = DailyBrief.objects.get(user=user, local_date=due.local_date)
    retried = DailyBrief.objects.filter(pk=earlier.pk, status__in=[Status.SKIPPED, Status.FAILED]).update(
        status=Status.SENDING, detail="asked for by reply"
    )
    if retried:
        earlier.status = Status.SENDING
        return _send_claimed([(due, earlier)], now, {}, again=True)[0]
    went = timezone.localtime(earlier.sent_at or earlier.created_at, ZoneInfo(preference.timezone or "UTC"))
    return Outcome(user.email, str(due.local_date), "already_sent", f"today's brief went out at {went:%H:%M}")


def _send_chunk(chunk: list[Due], now: datetime, shared: dict, detail: str = "") -> list[Outcome]:
    stale = [due for due in chunk if due.is_stale_at(now)]
    skipped = _claim(stale, Status.SKIPPED, lambda due: f"missed by {now - due.due_at}")
    outcomes = [Outcome(due.preference.user.email, str(due.local_date), "skipped", b.detail) for due, b in skipped]
    fresh = [due for due in chunk if not due.is_stale_at(now)]
    return outcomes + _send_claimed(_claim(fresh, Status.SENDING, lambda due: detail), now, shared)


def _claim(chunk: list[Due], status: str, detail_of) -> list[tuple[Due, DailyBrief]]:
    """Create the chunk's rows; those another process created first are not ours and are left out."""
    if not chunk:
        return []
    token = uuid.uuid4()
    rows = [
        DailyBrief(
            tenant_id=due.preference.user.tenant_id,
            user_id=due.preference.user_id,
            local_date=due.local_date,
            due_at=due.due_at,
            status=status,
            detail=detail_of(due),
            claim=token,
        )
        for due in chunk
    ]
    with transaction.atomic():
        DailyBrief.objects.bulk_create(rows, ignore_conflicts=True)
    ours = DailyBrief.objects.filter(user_id__in=[row.user_id for row in rows], claim=token)
    mine = {(brief.user_id, brief.local_date): brief for brief in ours}
    return [(due, mine[key]) for due in chunk if (key := (due.preference.user_id, due.local_date)) in mine]


def _send_claimed(claimed: list[tuple[Due, DailyBrief]], now: datetime, shared: dict, again=False) -> list[Outcome]:
    """Compose the claimed briefs and hand them to the provider as one batch. `again`: these days' briefs were
    tried before (skipped or failed), so their emails get a new reference."""
    if not claimed:
        return []
    readers = [due.preference.user for due, _ in claimed]
    pending = pending_for([reader.pk for reader in readers])
    decided = decided_for(readers, now, shared)
    emails = [
        _email(due, now, shared, pending.get(due.preference.user_id, []), decided[due.preference.user_id], again)
        for due, _ in claimed
    ]
    sent = send.send_batch(emails, email_type=EmailDeliveryLog.EmailType.DAILY_BRIEF)
    outcomes = []
    for (due, brief), result in zip(claimed, sent, strict=True):
        if isinstance(result, Exception):
            log.warning("Daily brief %s failed: %s", brief.pk, result)
            brief.status, brief.detail, brief.email = Status.FAILED, str(result)[:300], None
            if isinstance(result, ProviderUnavailable) and brief.attempts < MAX_ATTEMPTS:
                brief.retry_after = now + RETRY_AFTER
            outcomes.append(Outcome(due.preference.user.email, str(due.local_date), "failed", brief.detail))
        else:
            brief.status, brief.sent_at, brief.email = Status.SENT, result.sent_at, result
            outcomes.append(Outcome(due.preference.user.email, str(due.local_date), "sent"))
    update_each([brief for _, brief in claimed], ["status", "sent_at", "email", "detail", "retry_after"])
    return outcomes


def _email(due: Due, now: datetime, shared: dict, pending: list, decided: list, again: bool) -> send.Addressed:
    user = due.preference.user
    link = unsubscribe_url(user)
    with speaking(user):  # the reader's language
        content = compose(user, user.tenant, due.preference.include_sections, now, shared, pending, decided)
        email = OutgoingEmail(
            to=user.email,
            subject=subject(due.local_date),
            text=as_text(content, link),
            html=as_html(content, link),
            headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
    reference = f"brief:{user.pk}:{due.local_date}" + (f":again-{now.timestamp():.0f}" if again else "")
    return send.Addressed(email, reference, tenant_id=user.tenant_id, user_id=user.pk)
