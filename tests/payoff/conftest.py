"""Executed changes of synced campaigns as the executor and the sync leave them: the approval, its `PlatformChange`,
the campaign's daily figures and the changes found outside Walker."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from adplatforms.models import AdConnection, PlatformChange
from adplatforms.outside.models import OutsideChange
from hitl.models import HITLApproval
from tests.factories import CampaignDailyStatFactory, CampaignFactory, HITLApprovalFactory

PARIS = ZoneInfo("Europe/Paris")  # the tenants' zone (TenantFactory)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=PARIS)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def connection(tenant, *, platform="google", currency="USD") -> AdConnection:
    return AdConnection.objects.get_or_create(
        tenant=tenant, platform=platform, account_id=f"{platform}-{currency}", defaults={"currency": currency}
    )[0]


def synced(tenant, name="Brand Search", *, currency="USD", platform="google", budget="500.00"):
    return CampaignFactory(
        tenant=tenant,
        name=name,
        platform=platform,
        currency=currency,
        daily_budget=Decimal(budget),
        synced_at=timezone.now(),
    )


def figures(campaign, first: date, last: date, *, spend="100.00", conversions=4, revenue="400.00") -> None:
    """The same figures on each day first..last."""
    day = first
    while day <= last:
        CampaignDailyStatFactory(
            campaign=campaign, date=day, spend=Decimal(spend), conversions=conversions, revenue=Decimal(revenue)
        )
        day += timedelta(days=1)


def executed(campaign, at: datetime, *, before="500.00", after="600.00", action_type="set_budget", **fields):
    """An approved change of `campaign` executed on its platform at `at`, with the executor's record."""
    data = {"campaign_id": str(campaign.pk), "campaign_name": campaign.name, "currency": campaign.currency}
    if action_type == "set_budget":
        data |= {"daily_budget": after, "previous_daily_budget": before}
    row = HITLApprovalFactory(tenant=campaign.tenant, action_type=action_type, action_data=data, **fields)
    done = at + timedelta(seconds=1)  # the executor records the change, then hitl the outcome
    updates = {"status": "executed", "executed_at": done, "approved_at": at - timedelta(minutes=5), "resolved_at": done}
    HITLApproval.objects.filter(pk=row.pk).update(requested_at=at - timedelta(hours=1), **updates)
    field = PlatformChange.Field.DAILY_BUDGET if action_type == "set_budget" else PlatformChange.Field.STATUS
    PlatformChange.objects.create(
        tenant=campaign.tenant,
        connection=connection(campaign.tenant, platform=campaign.platform, currency=campaign.currency),
        campaign=campaign,
        field=field,
        before=before,
        after=after,
        currency=campaign.currency if field == PlatformChange.Field.DAILY_BUDGET else "",
        approval_id=row.pk,
        at=at,
    )
    row.refresh_from_db()
    return row


def outside(campaign, at: datetime, *, before, after, kind="daily_budget", actor="pat@acme.test", tool="Web") -> None:
    OutsideChange.objects.create(
        tenant=campaign.tenant,
        connection=connection(campaign.tenant, platform=campaign.platform, currency=campaign.currency),
        campaign=campaign,
        event=f"event-{at.isoformat()}",
        kind=kind,
        at=at,
        before=before,
        after=after,
        currency=campaign.currency if kind == "daily_budget" else "",
        actor=actor,
        tool=tool,
        detected_at=at,
    )
