"""The corpus's world (corpus/world.yaml) as rows of one tenant, and the corpus itself."""

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from agents.models import AudienceSegment, Campaign, CampaignDailyStat, ContentPiece, KeywordRanking, TargetKeyword

CORPUS = Path(__file__).parent / "corpus"


def load(name: str) -> list[dict]:
    return yaml.safe_load((CORPUS / name).read_text())


def world() -> dict:
    return yaml.safe_load((CORPUS / "world.yaml").read_text())


def now() -> datetime:
    return datetime.fromisoformat(world()["now"])


def build(tenant) -> None:
    """The world's rows for `tenant` (its zone set to the world's)."""
    data = world()
    tenant.timezone = data["timezone"]
    tenant.save(update_fields=["timezone"])
    zone = ZoneInfo(data["timezone"])
    today = now().astimezone(zone).date()
    for name, (platform, status, budget, spend, impressions, clicks, conversions, revenue) in data["campaigns"].items():
        campaign = Campaign.objects.create(
            tenant=tenant, name=name, platform=platform, status=status, daily_budget=Decimal(budget)
        )
        days = range(20, 41) if status == "paused" else range(1, 15)
        CampaignDailyStat.objects.bulk_create(
            CampaignDailyStat(
                tenant=tenant,
                campaign=campaign,
                date=today - timedelta(days=back),
                spend=Decimal(spend),
                impressions=impressions,
                clicks=clicks,
                conversions=conversions,
                revenue=Decimal(revenue),
            )
            for back in days
        )
    moment = now()
    for title, (channel, status, offset, views, engagement) in data["content"].items():
        ContentPiece.objects.create(
            tenant=tenant,
            title=title,
            channel=channel,
            status=status,
            published_at=moment + timedelta(days=offset) if status == "published" else None,
            scheduled_for=moment + timedelta(days=offset) if status == "scheduled" else None,
            views=views,
            engagement=engagement,
        )
    for keyword, (before, position, volume, target) in data["keywords"].items():
        for back, at in ((8, before), (1, position)):
            KeywordRanking.objects.create(
                tenant=tenant,
                keyword=keyword,
                date=today - timedelta(days=back),
                position=at,
                previous_position=None if back == 8 else before,
                search_volume=volume,
                url=f"https://example.test/{keyword.replace(' ', '-')}",
            )
        if target:
            TargetKeyword.objects.create(tenant=tenant, keyword=keyword)
    for name, (size, growth) in data["segments"].items():
        AudienceSegment.objects.create(tenant=tenant, name=name, size=size, weekly_growth=Decimal(growth))
