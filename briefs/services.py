"""Sending the briefs that are due: claim the (user, day) row, compose, send, record. Safe to run at once from
several beat processes or workers, and again after a crash: the unique row lets one through per day."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.models import EmailDeliveryLog
from briefs.content import compose
from briefs.models import DailyBrief
from briefs.render import as_html, as_text
from briefs.schedule import Due, due_now
from briefs.unsubscribe import unsubscribe_url
from channels_app.email import outbound
from channels_app.email.providers import OutgoingEmail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    user_email: str
    local_date: str
    status: str  # sent | skipped | failed | would_send | would_skip
    detail: str = ""


def send_due_briefs(now: datetime | None = None, *, dry_run: bool = False) -> list[Outcome]:
    now = now or timezone.now()
    local_dates = [now.date() + timedelta(days=shift) for shift in (-1, 0, 1)]  # every zone's today is among them
    already = set(DailyBrief.objects.filter(local_date__in=local_dates).values_list("user_id", "local_date"))
    outcomes = []
    for due in due_now(now, already):
        if dry_run:
            kind = "would_skip" if due.is_stale_at(now) else "would_send"
            outcomes.append(Outcome(due.preference.user.email, str(due.local_date), kind))
            continue
        outcome = send_brief(due, now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _claim(due: Due, status: str, detail: str = "") -> DailyBrief | None:
    user = due.preference.user
    try:
        with transaction.atomic():
            return DailyBrief.objects.create(
                tenant_id=user.tenant_id,
                user=user,
                local_date=due.local_date,
                due_at=due.due_at,
                status=status,
                detail=detail,
            )
    except IntegrityError:  # another process has this day's brief
        return None


def send_brief(due: Due, now: datetime) -> Outcome | None:
    """Send `due`'s brief once, or record it as skipped when it is stale; None when someone else has it."""
    user = due.preference.user
    if due.is_stale_at(now):
        brief = _claim(due, DailyBrief.Status.SKIPPED, f"missed by {now - due.due_at}")
        return Outcome(user.email, str(due.local_date), "skipped", brief.detail) if brief else None
    brief = _claim(due, DailyBrief.Status.SENDING)
    if brief is None:
        return None
    content = compose(user, user.tenant, due.preference.include_sections, now)
    link = unsubscribe_url(user)
    email = OutgoingEmail(
        to=user.email,
        subject=f"Your Walker brief for {due.local_date:%A %-d %B}",
        text=as_text(content, link),
        html=as_html(content, link),
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    try:
        sent = outbound.send(
            email,
            reference=f"brief:{user.pk}:{due.local_date}",
            email_type=EmailDeliveryLog.EmailType.DAILY_BRIEF,
            tenant_id=user.tenant_id,
            user_id=user.pk,
        )
    except Exception as error:  # recorded on the row; the provider's own retries happened inside
        log.exception("Daily brief %s failed", brief.pk)
        DailyBrief.objects.filter(pk=brief.pk).update(status=DailyBrief.Status.FAILED, detail=str(error)[:300])
        return Outcome(user.email, str(due.local_date), "failed", str(error)[:300])
    DailyBrief.objects.filter(pk=brief.pk).update(status=DailyBrief.Status.SENT, sent_at=timezone.now(), email=sent)
    return Outcome(user.email, str(due.local_date), "sent")
