"""Campaign performance over whole tenant-local days: the figures the Paid Ads engine answers with, the read tools
hand to any engine, and the daily brief shows. One place, so every reader gets the same numbers whichever engine
the tenant runs."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone

from agents.models import CampaignDailyStat


@dataclass(frozen=True)
class Window:
    """Whole tenant-local days, both ends included."""

    first: date
    last: date


def last_days(tenant, days: int) -> tuple[Window, Window]:
    """The `days` complete days ending yesterday, and the `days` before those."""
    yesterday = timezone.localdate(timezone=ZoneInfo(tenant.timezone)) - timedelta(days=1)
    current = Window(yesterday - timedelta(days=days - 1), yesterday)
    previous = Window(current.first - timedelta(days=days), current.first - timedelta(days=1))
    return current, previous


@dataclass
class Totals:
    spend: Decimal = Decimal("0")
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal("0")

    @property
    def ctr(self) -> Decimal | None:
        return Decimal(self.clicks) / self.impressions * 100 if self.impressions else None

    @property
    def cpa(self) -> Decimal | None:
        return self.spend / self.conversions if self.conversions else None

    @property
    def roas(self) -> Decimal | None:
        return self.revenue / self.spend if self.spend else None

    @property
    def impressions_per_dollar(self) -> Decimal | None:
        return self.impressions / self.spend if self.spend else None


SUMS = {name: Sum(name) for name in ("spend", "impressions", "clicks", "conversions", "revenue")}


def totals_of(row: dict) -> Totals:
    return Totals(
        spend=Decimal(row["spend"] or 0),
        impressions=row["impressions"] or 0,
        clicks=row["clicks"] or 0,
        conversions=row["conversions"] or 0,
        revenue=Decimal(row["revenue"] or 0),
    )


def _stats(tenant, window: Window):
    return CampaignDailyStat.objects.for_tenant(tenant).filter(date__range=(window.first, window.last))


def totals(tenant, window: Window, campaign=None) -> Totals:
    stats = _stats(tenant, window)
    return totals_of(stats.filter(campaign=campaign).aggregate(**SUMS) if campaign else stats.aggregate(**SUMS))


def totals_then_and_now(tenant, current: Window, previous: Window, campaign=None) -> tuple[Totals, Totals]:
    """Two windows' totals in one query: its sums per day, added up here (ten filtered sums in SQL cost the
    worker twice as much to build as the whole query takes)."""
    stats = CampaignDailyStat.objects.for_tenant(tenant).filter(date__range=(previous.first, current.last))
    if campaign is not None:
        stats = stats.filter(campaign=campaign)
    now, then = dict.fromkeys(SUMS, 0), dict.fromkeys(SUMS, 0)
    for day in stats.values("date").annotate(**SUMS).order_by():
        if current.first <= day["date"] <= current.last:
            window = now
        elif previous.first <= day["date"] <= previous.last:
            window = then
        else:
            continue
        for name in SUMS:
            window[name] += day[name] or 0
    return totals_of(now), totals_of(then)


def totals_by_campaign(tenant, window: Window) -> dict:
    rows = _stats(tenant, window).values("campaign_id").annotate(**SUMS).order_by()
    return {row["campaign_id"]: totals_of(row) for row in rows}


@dataclass(frozen=True)
class Freshness:
    """How fresh synced figures are: the oldest sync among the campaigns read, and the platforms they came from."""

    at: datetime
    platforms: tuple[str, ...]  # Campaign.Platform values


def freshness(campaigns) -> Freshness | None:
    """None when none of `campaigns` came from an ad platform's sync (`Campaign.synced_at` empty)."""
    synced = [c for c in campaigns if c.synced_at is not None]
    if not synced:
        return None
    return Freshness(min(c.synced_at for c in synced), tuple(sorted({c.platform for c in synced})))
