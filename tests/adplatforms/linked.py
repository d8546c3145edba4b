"""Campaigns linked to an ad account held in memory (tests/adplatforms/memory_platform.py), for the tests of what
Walker does with approved changes: `connect` makes the connection and makes `client_for` answer with the memory
account; `link` puts a Walker campaign on it."""

from decimal import Decimal

from django.utils import timezone

from adplatforms import clients
from adplatforms.executor import units_of
from adplatforms.models import AdConnection, PlatformCampaign
from adplatforms.platform import Account
from tests.adplatforms.memory_platform import MemoryPlatform
from tests.factories import CampaignFactory

ACCOUNTS = {"google": "1234567890", "meta": "act_123456"}


def connect(tenant, monkeypatch, *, platform="google", currency="USD", **fields):
    """A connection of `tenant` to a memory account on `platform` in `currency` (and its `client_for`)."""
    account = Account(account_id=ACCOUNTS[platform], name="Acme Ads", currency=currency, time_zone="UTC")
    memory = MemoryPlatform(platform=platform, account_info=account)
    connection = AdConnection.objects.create(
        tenant=tenant, platform=platform, account_id=account.account_id, currency=currency, **fields
    )
    monkeypatch.setitem(clients._FACTORIES, platform, lambda _connection, on_usage=None: memory)
    return connection, memory


def link(connection, memory, campaign, external_id="111", *, units="same", **remote):
    """`campaign` synced from `connection`'s account as `external_id`, its live budget `units` (default: its own)."""
    if units == "same":
        units = units_of(connection.platform, campaign.daily_budget, campaign.currency)
    memory.add_campaign(external_id, campaign.name, units, **{"status": campaign.status, **remote})
    return PlatformCampaign.objects.create(
        tenant=campaign.tenant,
        connection=connection,
        campaign=campaign,
        external_id=external_id,
        budget_id=remote.get("budget_id", f"b{external_id}"),
        budget_shared=remote.get("budget_shared", False),
        budget_level=remote.get("budget_level", "campaign"),
        daily_budget_units=units,
        synced_at=timezone.now(),
    )


def synced_campaign(connection, memory, name, budget, external_id, **fields):
    """A new Walker campaign synced from `connection` (its currency the account's)."""
    campaign = CampaignFactory(
        tenant=connection.tenant,
        platform=connection.platform,
        name=name,
        daily_budget=Decimal(budget),
        currency=connection.currency,
        **fields,
    )
    link(connection, memory, campaign, external_id)
    return campaign
