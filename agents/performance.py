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


def last_days(tenant, days: int, now: datetime | None = None) -> tuple[Window, Window]:
    """The `days` complete days ending yesterday (the tenant's, at `now`), and the `days` before those."""
    yesterday = timezone.localdate(now or timezone.now(), timezone=ZoneInfo(tenant.timezone)) - timedelta(days=1)
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


def totals(tenant, window: Window, campaign) -> Totals:
    """One campaign's totals (its amounts are all in its own currency)."""
    return totals_of(_stats(tenant, window).filter(campaign=campaign).aggregate(**SUMS))


def _then_and_now(rows, current: Window, previous: Window, key) -> dict:
    """{key(row): (current Totals, previous Totals)} from rows of sums per day (and per `key`)."""
    windows: dict = {}
    for day in rows:
        now, then = windows.setdefault(key(day), (dict.fromkeys(SUMS, 0), dict.fromkeys(SUMS, 0)))
        if current.first <= day["date"] <= current.last:
            window = now
        elif previous.first <= day["date"] <= previous.last:
            window = then
        else:
            continue
        for name in SUMS:
            window[name] += day[name] or 0
    return {found: (totals_of(now), totals_of(then)) for found, (now, then) in windows.items()}


def _both_windows(tenant, current: Window, previous: Window):
    return CampaignDailyStat.objects.for_tenant(tenant).filter(date__range=(previous.first, current.last))


def totals_then_and_now(tenant, current: Window, previous: Window, campaign) -> tuple[Totals, Totals]:
    """One campaign's totals over two windows in one query: its sums per day, added up here (ten filtered sums in
    SQL cost the worker twice as much to build as the whole query takes)."""
    rows = _both_windows(tenant, current, previous).filter(campaign=campaign).values("date").annotate(**SUMS)
    return _then_and_now(rows.order_by(), current, previous, key=lambda day: None).get(None, (Totals(), Totals()))


@dataclass(frozen=True)
class CurrencyTotals:
    """The totals of the campaigns counted in one currency, over two windows: money is only ever added up
    within a currency, so "all campaigns" is one of these per currency, never one sum."""

    currency: str
    current: Totals
    previous: Totals


def totals_by_currency(tenant, current: Window, previous: Window) -> list[CurrencyTotals]:
    """Every campaign's totals over two windows, one entry per currency (by code), in one query."""
    rows = _both_windows(tenant, current, previous).values("campaign__currency", "date").annotate(**SUMS)
    found = _then_and_now(rows.order_by(), current, previous, key=lambda day: day["campaign__currency"].upper())
    return [CurrencyTotals(code, now, then) for code, (now, then) in sorted(found.items())]


def campaign_and_account(tenant, window: Window, campaign) -> tuple[Totals | None, Totals]:
    """One campaign's totals (None when no day of the window has figures for it) and the account's over the same
    days, in one query: every campaign's conversions, and the money of the campaigns counted in `campaign`'s
    currency only (amounts are never added across currencies)."""
    rows = _stats(tenant, window).values("campaign_id", "campaign__currency").annotate(**SUMS).order_by()
    own, account = None, dict.fromkeys(SUMS, 0)
    currency = campaign.currency.upper()
    for row in rows:
        if row["campaign_id"] == campaign.pk:
            own = totals_of(row)
        account["conversions"] += row["conversions"] or 0
        if row["campaign__currency"].upper() == currency:
            for name in ("spend", "revenue"):
                account[name] += row[name] or 0
    return own, totals_of(account)


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
