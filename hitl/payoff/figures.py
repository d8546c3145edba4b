"""A campaign's figures over whole days in the tenant's zone, many windows in one query."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from agents.models import CampaignDailyStat


@dataclass(frozen=True)
class Window:
    """Whole tenant-local days, both ends included."""

    first: date
    last: date


@dataclass(frozen=True)
class Figures:
    """A campaign's sums over the days of a window that have figures (`days`); money in its currency."""

    spend: Decimal = Decimal("0")
    conversions: int = 0
    value: Decimal = Decimal("0")
    days: int = 0

    @property
    def cpa(self) -> Decimal | None:
        """Spend per conversion; None without conversions (never a division by zero shown as a number)."""
        return self.spend / self.conversions if self.conversions else None

    @property
    def roas(self) -> Decimal | None:
        """Conversion value per unit spent; None without spend."""
        return self.value / self.spend if self.spend else None

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.spend + other.spend,
            self.conversions + other.conversions,
            self.value + other.value,
            self.days + other.days,
        )


def windows_around(day: date, days: int) -> tuple[Window, Window]:
    """The `days` whole days before `day` and the `days` after it; `day` itself, half before and half after the
    change, is in neither."""
    return (
        Window(day - timedelta(days=days), day - timedelta(days=1)),
        Window(day + timedelta(days=1), day + timedelta(days=days)),
    )


def daily_rows(tenant_id, campaign_ids, first: date, last: date) -> dict:
    """{campaign id: {date: (spend, conversions, value)}} of the campaigns' days first..last, in one query."""
    found: dict = {}
    if not campaign_ids:
        return found
    rows = CampaignDailyStat.objects.filter(
        tenant_id=tenant_id, campaign_id__in=campaign_ids, date__range=(first, last)
    ).values_list("campaign", "date", "spend", "conversions", "revenue")
    for campaign_id, day, spend, conversions, value in rows.order_by():
        found.setdefault(campaign_id, {})[day] = (spend, conversions, value)
    return found


def figures_in(days: dict, window: Window) -> Figures | None:
    """The sums of `days` ({date: (spend, conversions, value)}) within `window`; None when none of its days has
    figures (nothing synced is not zero)."""
    inside = [row for day, row in days.items() if window.first <= day <= window.last]
    if not inside:
        return None
    return Figures(
        spend=sum((row[0] for row in inside), Decimal("0")),
        conversions=sum(row[1] for row in inside),
        value=sum((row[2] for row in inside), Decimal("0")),
        days=len(inside),
    )
