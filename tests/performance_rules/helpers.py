"""Rules and figures for the performance rule tests: a rule with sensible defaults, and days of figures ending on a
chosen day."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from adplatforms.rules.models import PerformanceRule
from tests.factories import CampaignDailyStatFactory

LAST_DAY = date(2026, 11, 26)  # the last whole day (the tests run "now" on 27 November, in the tenant's zone)


def make_rule(tenant, **fields) -> PerformanceRule:
    """A saved, validated rule: CPA above 60 USD over 7 days, proposing a pause, daily at 09:00."""
    values = dict(
        name="High CPA",
        metric="cpa",
        scope="all",
        window_days=7,
        comparison="gt",
        threshold=Decimal("60"),
        currency="USD",
        schedule="daily",
        run_at=time(9, 0),
        action="pause",
    )
    rule = PerformanceRule(tenant=tenant, **{**values, **fields})
    rule.full_clean()
    rule.save()
    return rule


def figures(campaign, *, days=7, last=LAST_DAY, spend="100", conversions=2, revenue="0", clicks=100, impressions=10000):
    """`days` identical days of figures for `campaign`, ending on `last`."""
    for back in range(days):
        CampaignDailyStatFactory(
            campaign=campaign,
            date=last - timedelta(days=back),
            spend=Decimal(spend),
            conversions=conversions,
            revenue=Decimal(revenue),
            clicks=clicks,
            impressions=impressions,
        )


NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 11:00 in Paris: the last whole day is LAST_DAY
