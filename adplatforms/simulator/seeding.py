"""A fake platform's account filled from a tenant's own campaigns of that platform and their daily figures, so a
sync of it brings back the campaigns the agents already talk about (adopted by name, docs/adplatforms.md).

A campaign's platform id is derived from its Walker id, so every run names it the same and the sync finds its
link again."""

from adplatforms import money
from adplatforms.simulator.google import FakeGoogleAds
from adplatforms.simulator.meta import FakeMetaGraph
from agents.models import Campaign, CampaignDailyStat

GOOGLE_ACCOUNT = "5550001234"
META_ACCOUNT = "act_5550001234"
_GOOGLE_STATUS = {Campaign.Status.ACTIVE: "ENABLED", Campaign.Status.PAUSED: "PAUSED"}
_META_STATUS = {Campaign.Status.ACTIVE: "ACTIVE", Campaign.Status.PAUSED: "PAUSED"}


def platform_id(campaign: Campaign) -> str:
    """The campaign's id on the fake platform: the same on every run."""
    return str(campaign.pk.int % 10**12)


def campaigns_of(tenant, platform: str) -> list[Campaign]:
    return list(Campaign.objects.filter(tenant=tenant, platform=platform).order_by("name"))


def seed_google(fake: FakeGoogleAds, tenant, campaigns: list[Campaign]) -> str:
    """One customer named after the tenant holding `campaigns`, each on a budget of its own; the account id."""
    currency = _currency(campaigns)
    fake.add_customer(GOOGLE_ACCOUNT, tenant.name, currency=currency, time_zone=str(tenant.timezone))
    for campaign in campaigns:
        external = platform_id(campaign)
        fake.add_budget(GOOGLE_ACCOUNT, external, money.to_micros(campaign.daily_budget, currency))
        fake.add_campaign(GOOGLE_ACCOUNT, external, campaign.name, external, status=_GOOGLE_STATUS[campaign.status])
    for stat in _stats(campaigns):
        fake.add_day(
            GOOGLE_ACCOUNT,
            platform_id(stat.campaign),
            stat.date,
            impressions=stat.impressions,
            clicks=stat.clicks,
            cost_micros=money.to_micros(stat.spend, currency),
            conversions=str(stat.conversions),
            conversions_value=str(stat.revenue),
        )
    return GOOGLE_ACCOUNT


def seed_meta(fake: FakeMetaGraph, tenant, campaigns: list[Campaign]) -> str:
    """One ad account named after the tenant holding `campaigns`, each with a campaign budget; the account id."""
    currency = _currency(campaigns)
    fake.add_account(META_ACCOUNT, name=tenant.name, currency=currency, timezone=str(tenant.timezone))
    for campaign in campaigns:
        fake.add_campaign(
            platform_id(campaign),
            campaign.name,
            account=META_ACCOUNT,
            status=_META_STATUS[campaign.status],
            daily_budget=money.to_meta_units(campaign.daily_budget, currency),
        )
    for stat in _stats(campaigns):
        fake.add_day(
            platform_id(stat.campaign),
            stat.date,
            impressions=stat.impressions,
            clicks=stat.clicks,
            spend=str(stat.spend),
            actions={"omni_purchase": stat.conversions},
            action_values={"omni_purchase": stat.revenue},
        )
    return META_ACCOUNT


def _currency(campaigns: list[Campaign]) -> str:
    """The account's currency: the campaigns' (one account holds one currency), US dollars by default."""
    return next((c.currency for c in campaigns if c.currency), "USD")


def _stats(campaigns: list[Campaign]):
    return CampaignDailyStat.objects.filter(campaign__in=campaigns).select_related("campaign").order_by("date")
