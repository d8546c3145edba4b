"""When a user's brief is due, in their own time zone, and which briefs are due now.

A delivery time that does not exist on a spring-forward day (02:30 when clocks jump from 02:00 to 03:00)
is read with the offset before the change, so it still comes, once, just after the jump; a time that
happens twice on a fall-back day is its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tenants.models import UserEmailPreference

STALE_AFTER = timedelta(hours=6)  # missed by more than this (downtime): skipped, not sent late in the evening


@dataclass(frozen=True)
class Due:
    preference: UserEmailPreference
    local_date: date
    due_at: datetime

    def is_stale_at(self, now: datetime) -> bool:
        return now - self.due_at > STALE_AFTER


def due_at(preference: UserEmailPreference, local_date: date) -> datetime:
    zone = ZoneInfo(preference.timezone or "UTC")
    local = datetime.combine(local_date, preference.delivery_time, tzinfo=zone)  # fold=0: see the docstring
    return local.astimezone(UTC)


def local_date_of(preference: UserEmailPreference, now: datetime) -> date:
    return now.astimezone(ZoneInfo(preference.timezone or "UTC")).date()


def due_now(now: datetime, already: set[tuple]) -> list[Due]:
    """Enabled preferences of active people whose brief for their local today has come and is not yet recorded
    (`already`: the (user id, local date) pairs with a brief)."""
    preferences = UserEmailPreference.objects.filter(
        enabled=True, user__is_active=True, user__tenant__isnull=False
    ).select_related("user", "user__tenant")
    due = []
    for preference in preferences:
        today = local_date_of(preference, now)
        when = due_at(preference, today)
        if when <= now and (preference.user_id, today) not in already:
            due.append(Due(preference, today, when))
    return due
