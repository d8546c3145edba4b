"""When the tenant's team answers: its support days and hours (`Tenant.support_days`, `support_opens`,
`support_closes`; Monday to Friday, 09:00 to 17:00 unless the tenant set others), read in the tenant's time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

WEEK = 7


def next_opening(tenant, now: datetime | None = None) -> datetime | None:
    """None while the team is in; else when it next opens, in the tenant's time zone. A tenant that keeps no support
    days answers every day, within its hours."""
    local = timezone.localtime(now or timezone.now(), ZoneInfo(tenant.timezone))
    days = set(tenant.support_days or range(WEEK))
    if local.weekday() in days and tenant.support_opens <= local.time() < tenant.support_closes:
        return None
    openings = (
        datetime.combine(local.date() + timedelta(days=ahead), tenant.support_opens, tzinfo=local.tzinfo)
        for ahead in range(WEEK + 1)
    )
    return next(opens for opens in openings if opens.weekday() in days and opens > local)
