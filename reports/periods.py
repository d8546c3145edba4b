"""Days, weeks (from Monday) and months in a tenant's time zone, as UTC ranges for queries.

A day is midnight to midnight on the wall clock, so a DST day lasts 23 or 25 hours.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from analytics.models import PeriodType

TRUNCATE = {PeriodType.DAY: TruncDay, PeriodType.WEEK: TruncWeek, PeriodType.MONTH: TruncMonth}
# The days a report may be asked for: every real row falls between them, and every bound computed from them
# (the next day, week or month, local midnight in any zone) is still a date Python holds (9999-12-31 is not).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)
DAY_RANGE = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def may_ask_for(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def zone_of(user_or_tenant) -> ZoneInfo:
    """The tenant's zone; UTC for a platform superuser (who sees every tenant)."""
    tenant = getattr(user_or_tenant, "tenant", user_or_tenant)
    if tenant is None or getattr(user_or_tenant, "is_superuser", False):
        return ZoneInfo("UTC")
    return ZoneInfo(tenant.timezone)


def start_of(day: date, kind: str) -> date:
    """The first day of the period of `kind` holding `day`."""
    if kind == PeriodType.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == PeriodType.MONTH:
        return day.replace(day=1)
    return day


def next_start(start: date, kind: str) -> date:
    if kind == PeriodType.WEEK:
        return start + timedelta(days=7)
    if kind == PeriodType.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def midnight(day: date, zone) -> datetime:
    """Local midnight of `day` in `zone`, in UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def bounds(start: date, kind: str, zone) -> tuple[datetime, datetime]:
    """[from, to) of the period beginning on `start`, in UTC."""
    return midnight(start, zone), midnight(next_start(start, kind), zone)


def starts_between(first: date, last: date, kind: str) -> list[date]:
    """The starts of every period of `kind` that touches the days first..last."""
    starts, current = [], start_of(first, kind)
    while current <= last:
        starts.append(current)
        current = next_start(current, kind)
    return starts
