"""Demo marketing data for Acme Outdoor: campaigns with 30 days of stats, keyword rankings, content and audiences.

Numbers come from a constant-seeded random generator, so every run produces the same figures; rows that
already exist are never touched, so running it again the same day changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from agents.models import AudienceSegment, Campaign, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword
from tenants.demo import demo_seeder

DAYS = 30
SEED = 20240601
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    platform: str
    status: str
    daily_budget: str
    cpm: float  # dollars per 1,000 impressions
    ctr: float  # clicks per impression
    cvr: float  # conversions per click
    order_value: float  # revenue per conversion
    trend: float  # change in ctr and cvr from the first day to the last (0.2 = 20% better)
    weekend: float  # conversion rate on Saturdays and Sundays relative to weekdays
    paused_days: int = 0  # the last N days had no delivery


CAMPAIGNS = [
    DemoCampaign("Summer Sale", "meta", "active", "500.00", 11.0, 0.019, 0.016, 110.0, 0.25, 1.25),
    DemoCampaign("Fall Hiking Boots", "google", "active", "350.00", 60.0, 0.035, 0.04, 148.0, 0.35, 1.1),
    DemoCampaign("Brand Search", "google", "active", "200.00", 45.0, 0.09, 0.04, 104.0, 0.0, 0.8),
    DemoCampaign("Site Retargeting", "meta", "active", "150.00", 14.0, 0.012, 0.065, 86.0, 0.1, 1.15),
    DemoCampaign("Trail Running Awareness", "meta", "active", "300.00", 7.5, 0.011, 0.012, 71.0, -0.45, 1.05),
    DemoCampaign("Spring Clearance", "meta", "paused", "250.00", 10.0, 0.016, 0.02, 64.0, -0.2, 1.2, paused_days=12),
]

# keyword, page, monthly searches, position 30 days ago, position yesterday, is a target
KEYWORDS = [
    ("hiking boots", "/hiking-boots", 12100, 8, 4, True),
    ("waterproof hiking boots", "/hiking-boots/waterproof", 4400, 16, 11, False),
    ("trail running shoes", "/trail-running", 9900, 10, 15, True),
    ("camping tents", "/camping/tents", 18100, 22, 21, True),
    ("ultralight backpack", "/packs/ultralight", 3600, 9, 5, True),
    ("rain jacket", "/jackets/rain", 14800, 17, 19, False),
    ("hiking socks", "/socks", 6600, 5, 3, True),
    ("sleeping bag", "/camping/sleeping-bags", 22200, 27, 31, True),
    ("acme outdoor", "/", 2900, 1, 1, True),
    ("trekking poles", "/hiking/poles", 5400, 13, 10, True),
    ("fall hiking gear", "/guides/fall-hiking", 1300, 38, 24, False),
]
SITE = "https://acme-outdoor.example"

# title, channel, status, days from today (negative: published that long ago), local hour, views, engagement
CONTENT = [
    ("10 Trails to Hike Before Summer Ends", "blog", "published", -4, 8, 8400, 620),
    ("Summer Sale: Last Chance", "instagram", "published", -2, 18, 15200, 1480),
    ("How to Break In Hiking Boots", "blog", "published", -11, 8, 5100, 410),
    ("Trail Runners Meetup Recap", "facebook", "published", -6, 12, 3900, 350),
    ("Packing List: Ultralight Weekend", "newsletter", "published", -9, 7, 6800, 930),
    ("Rain Jacket Torture Test", "tiktok", "published", -15, 19, 21500, 2300),
    ("We're Hiring Trail Guides", "linkedin", "published", -20, 9, 2100, 95),
    ("Spring Camping Checklist", "blog", "published", -48, 8, 12000, 700),
    ("Fall Gear Guide", "blog", "draft", 0, 0, 0, 0),
    ("Campfire Recipes Reel", "instagram", "draft", 0, 0, 0, 0),
    ("Winter Layering 101", "newsletter", "draft", 0, 0, 0, 0),
    ("Fall Hiking Boots Launch", "instagram", "scheduled", 2, 10, 0, 0),
    ("Monthly Trail Notes", "newsletter", "scheduled", 5, 8, 0, 0),
]

SEGMENTS = [
    ("Trail Runners", 48200, "12.40", "Visitors who browsed trail running gear twice or more in 60 days."),
    ("Cart Abandoners", 6350, "4.10", "Added to cart in the last 30 days without buying."),
    ("Weekend Campers", 31800, "6.80", "Buy camping gear mostly on Fridays and Saturdays."),
    ("Past Purchasers", 22400, "1.90", "Bought at least once in the last 12 months."),
    ("Instagram Engagers", 27300, "8.90", "Liked, commented or saved an Acme post in 90 days."),
    ("Lapsed Shoppers", 9700, "-3.20", "No visit or purchase in 6 months."),
]


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENTS, ROUND_HALF_UP)


def _report(log, made: int, total: int, what: str) -> None:
    if made:
        log(f"  created  {made} {what}" + (f" ({total - made} already there)" if made < total else ""))
    else:
        log(f"  exists   {total} {what}")


def _daily_stats(rng: random.Random, spec: DemoCampaign, days: list) -> list[dict]:
    """One plausible day of delivery per date: budget-bound spend with weekday swings, trends and noise."""
    budget, rows = float(spec.daily_budget), []
    for index, day in enumerate(days):
        progress = index / (len(days) - 1) - 0.5  # -0.5 on the first day, +0.5 on the last
        weekend = day.weekday() >= 5
        if index >= len(days) - spec.paused_days:
            rows.append(
                {"spend": Decimal("0.00"), "impressions": 0, "clicks": 0, "conversions": 0, "revenue": Decimal("0.00")}
            )
            continue
        spend = budget * rng.uniform(0.86, 1.0) * (1.06 if weekend else 1.0)
        impressions = round(spend / spec.cpm * 1000 * rng.uniform(0.93, 1.07))
        clicks = round(impressions * spec.ctr * (1 + spec.trend * progress * 0.5) * rng.uniform(0.9, 1.1))
        cvr = spec.cvr * (1 + spec.trend * progress) * (spec.weekend if weekend else 1.0) * rng.uniform(0.85, 1.15)
        conversions = round(clicks * cvr)
        revenue = conversions * spec.order_value * rng.uniform(0.9, 1.1)
        rows.append(
            {
                "spend": _money(spend),
                "impressions": impressions,
                "clicks": clicks,
                "conversions": conversions,
                "revenue": _money(revenue),
            }
        )
    return rows


def _seed_campaigns(tenant, log, rng, days) -> None:
    made, stats_made = 0, 0
    for spec in CAMPAIGNS:
        campaign, created = Campaign.objects.get_or_create(
            tenant=tenant,
            name=spec.name,
            defaults={"platform": spec.platform, "status": spec.status, "daily_budget": Decimal(spec.daily_budget)},
        )
        made += created
        rows = _daily_stats(rng, spec, days)  # always drawn, so the generator stays in step
        existing = set(
            CampaignDailyStat.objects.for_tenant(tenant).filter(campaign=campaign).values_list("date", flat=True)
        )
        missing = [
            CampaignDailyStat(tenant=tenant, campaign=campaign, date=day, **row)
            for day, row in zip(days, rows, strict=True)
            if day not in existing
        ]
        CampaignDailyStat.objects.bulk_create(missing)
        stats_made += len(missing)
    _report(log, made, len(CAMPAIGNS), "campaigns: " + ", ".join(spec.name for spec in CAMPAIGNS))
    _report(log, stats_made, len(CAMPAIGNS) * len(days), f"campaign daily stats, {days[0]} to {days[-1]}")


def _positions(rng: random.Random, start: int, end: int, count: int) -> list[int]:
    """A noisy walk from `start` to `end` that lands exactly on `end`."""
    walk = [start + (end - start) * i / (count - 1) + rng.choice((-2, -1, 0, 0, 1, 2)) for i in range(count)]
    walk[-1] = end
    return [max(1, round(p)) for p in walk]


def _seed_keywords(tenant, log, rng, days) -> None:
    rankings = KeywordRanking.objects.for_tenant(tenant)
    made, targets_made, targets = 0, 0, 0
    for keyword, path, volume, start, end, is_target in KEYWORDS:
        checks = [days[0] - timedelta(days=1), *days]  # one more day, for the first day's previous_position
        positions = dict(zip(checks, _positions(rng, start, end, len(checks)), strict=True))
        stored = dict(rankings.filter(keyword=keyword).values_list("date", "position"))
        positions.update(stored)  # a new day follows on from what is stored
        missing = [
            KeywordRanking(
                tenant=tenant,
                keyword=keyword,
                url=SITE + path,
                position=positions[day],
                previous_position=positions[day - timedelta(days=1)],
                date=day,
                search_volume=volume,
            )
            for day in days
            if day not in stored
        ]
        KeywordRanking.objects.bulk_create(missing)
        made += len(missing)
        if is_target:
            targets += 1
            targets_made += TargetKeyword.objects.get_or_create(tenant=tenant, keyword=keyword)[1]
    _report(log, made, len(KEYWORDS) * len(days), f"keyword rankings for {len(KEYWORDS)} keywords")
    _report(log, targets_made, targets, "target keywords")


def _seed_content(tenant, log, today, zone) -> None:
    made = 0
    for title, channel, status, offset, hour, views, engagement in CONTENT:
        moment = datetime.combine(today + timedelta(days=offset), time(hour), tzinfo=zone)
        _, created = ContentPiece.objects.get_or_create(
            tenant=tenant,
            title=title,
            defaults={
                "channel": channel,
                "status": status,
                "published_at": moment if status == "published" else None,
                "scheduled_for": moment if status == "scheduled" else None,
                "views": views,
                "engagement": engagement,
            },
        )
        made += created
    _report(log, made, len(CONTENT), "content pieces")


def _seed_segments(tenant, log) -> None:
    made = 0
    for name, size, growth, description in SEGMENTS:
        _, created = AudienceSegment.objects.get_or_create(
            tenant=tenant,
            name=name,
            defaults={"size": size, "weekly_growth": Decimal(growth), "description": description},
        )
        made += created
    _report(log, made, len(SEGMENTS), "audience segments")


@demo_seeder
def seed_marketing_data(tenant, log) -> None:
    zone = ZoneInfo(tenant.timezone)
    today = timezone.localdate(timezone=zone)
    days = [today - timedelta(days=DAYS - i) for i in range(DAYS)]  # 30 days ending yesterday
    rng = random.Random(SEED)
    _seed_campaigns(tenant, log, rng, days)
    _seed_keywords(tenant, log, rng, days)
    _seed_content(tenant, log, today, zone)
    _seed_segments(tenant, log)
