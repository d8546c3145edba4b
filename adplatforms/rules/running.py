"""When rules run, and the beat's run of the due ones: each due rule claimed by one beat through a conditional
update of `next_run_at` from the value that was read (as adplatforms.schedule claims syncs), then run with a crash
guard per rule so one broken rule never stops the others."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from adplatforms.rules.filing import run_rule
from adplatforms.rules.models import PerformanceRule, Schedule

logger = logging.getLogger(__name__)

CLAIM_LIMIT = 200  # per beat; the rest are still due on the next one


def next_run(rule: PerformanceRule, after: datetime) -> datetime:
    """The rule's next run after `after`: the next whole hour, or the next `run_at` in the tenant's time zone."""
    if rule.schedule == Schedule.HOURLY:
        return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    zone = ZoneInfo(rule.tenant.timezone)
    local = after.astimezone(zone)
    day = local.date()
    while True:
        candidate = datetime.combine(day, rule.run_at, tzinfo=zone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def schedule(rule: PerformanceRule, now=None) -> None:
    """Set the rule's next run from its schedule (saved by the caller): none while it is disabled."""
    rule.next_run_at = next_run(rule, now or timezone.now()) if rule.enabled else None


def claim_due(now=None) -> list:
    """The ids of the enabled rules due now, each moved to its next run by this caller alone."""
    now = now or timezone.now()
    due = Q(next_run_at__lte=now) | Q(next_run_at__isnull=True)
    candidates = PerformanceRule.objects.filter(due, enabled=True).select_related("tenant").order_by("next_run_at")
    claimed = []
    for rule in candidates[:CLAIM_LIMIT]:
        was = rule.next_run_at
        same = Q(next_run_at__isnull=True) if was is None else Q(next_run_at=was)
        if PerformanceRule.objects.filter(same, pk=rule.pk).update(next_run_at=next_run(rule, now)):
            claimed.append(rule.pk)
    return claimed


def run_due(now=None) -> int:
    """Run every due rule; the number run. A rule that fails is logged and left for its next time."""
    now = now or timezone.now()
    ran = 0
    for pk in claim_due(now):
        try:
            run_rule(pk, now=now)
        except Exception:
            logger.exception("performance rule %s failed", pk)
            continue
        ran += 1
    return ran
