"""When a user's brief is due, in their own time zone, and which briefs are due now.

A delivery time that does not exist on a spring-forward day (02:30 when clocks jump from 02:00 to 03:00)
is read with the offset before the change, so it still comes, once, just after the jump; a time that
happens twice on a fall-back day is its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q

from briefs.models import DailyBrief
from tenants.models import UserEmailPreference

STALE_AFTER = timedelta(hours=6)  # missed by more than this (downtime): skipped, not sent late in the evening
DST_SLACK = timedelta(hours=1)  # a daylight-saving change moves a wall-clock time by at most an hour


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


def due_now(now: datetime) -> list[Due]:
    """Enabled preferences of active people whose brief for their local today has come and is not yet recorded.

    The database narrows the readers to the candidates, zone by zone (delivery time within an hour of the
    zone's wall clock, no brief for the zone's date), so a run reads the few people due, not everyone;
    `due_at` then decides, daylight-saving rules included.
    """
    enabled = UserEmailPreference.objects.filter(enabled=True, user__is_active=True, user__tenant__isnull=False)
    candidates = Q()
    for zone_name in enabled.values_list("timezone", flat=True).distinct().order_by():
        wall_clock = now.astimezone(ZoneInfo(zone_name or "UTC")).replace(tzinfo=None)
        in_zone = Q(timezone=zone_name) & ~Exists(
            DailyBrief.objects.filter(user_id=OuterRef("user_id"), local_date=wall_clock.date())
        )
        soon = wall_clock + DST_SLACK
        if soon.date() == wall_clock.date():  # else every delivery time of the day has come or is within the slack
            in_zone &= Q(delivery_time__lte=soon.time())
        candidates |= in_zone
    if not candidates:
        return []
    due = []
    # One order for every process: their claims then take the unique index's locks in the same order (no deadlock).
    ordered = enabled.filter(candidates).select_related("user", "user__tenant").order_by("user__tenant_id", "user_id")
    for preference in ordered:
        today = local_date_of(preference, now)
        when = due_at(preference, today)
        if when <= now:
            due.append(Due(preference, today, when))
    return due
