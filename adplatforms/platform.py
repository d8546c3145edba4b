"""What Walker asks of an ad platform, whichever it is: the contract the Google Ads and Meta clients keep.

Amounts that Walker writes back (budgets) travel in the platform's own integer units (Google micros, Meta's
minor units) with their currency; figures that are only read (spend, conversion value) are `Decimal` amounts of
the account's currency, converted by the client from what the platform wrote (adplatforms.money). Dates are
calendar days in the account's time zone.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


class CampaignStatus:
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"  # deleted or archived on the platform: kept in Walker, shown as removed


class BudgetLevel:
    CAMPAIGN = "campaign"  # the campaign's own (or a Google shared budget)
    AD_SET = "ad_set"  # Meta: the budget lives on each ad set, the campaign has none


@dataclass(frozen=True)
class Account:
    account_id: str  # Google "1234567890", Meta "act_123"
    name: str
    currency: str  # ISO 4217
    time_zone: str  # IANA, e.g. "Asia/Tokyo"


@dataclass(frozen=True)
class RemoteCampaign:
    external_id: str
    name: str
    status: str  # CampaignStatus
    effective_status: str  # the platform's own word, e.g. "CAMPAIGN_PAUSED", "ENABLED"
    daily_budget_units: int | None  # None when the budget lives elsewhere (Meta ad sets) or is not daily
    currency: str
    budget_id: str = ""  # Google: the campaign budget's resource id; Meta: the campaign id
    budget_shared: bool = False  # Google: an explicitly shared budget
    budget_level: str = BudgetLevel.CAMPAIGN
    campaigns_sharing_budget: tuple[str, ...] = ()  # external ids of every campaign on a shared budget


@dataclass(frozen=True)
class CampaignDay:
    campaign_external_id: str
    day: date
    impressions: int
    clicks: int
    cost: Decimal  # in the account's currency
    conversions: Decimal  # platforms count fractions of conversions (Google's attribution)
    conversion_value: Decimal  # in the account's currency


@dataclass(frozen=True)
class AccountDay:
    """The account's own total for one day, for reconciling the campaign rows with it."""

    day: date
    impressions: int
    clicks: int
    cost: Decimal  # in the account's currency
    conversions: Decimal
    conversion_value: Decimal  # in the account's currency


@dataclass(frozen=True)
class RemoteChange:
    """One change to a campaign's daily budget or status in the platform's change history, as the platform says it
    (made by Walker or anyone else: the sync tells them apart, adplatforms.outside)."""

    key: str  # the platform's identity of the event, the same on every read of it
    at: datetime  # aware, when the platform committed it
    field: str  # "daily_budget" or "status" (adplatforms.models.PlatformChange.Field)
    campaign_external_id: str  # "" when the platform names the budget only (a Google budget change)
    budget_id: str = ""  # Google: the campaign budget changed
    ad_set: str = ""  # Meta: the ad set changed ("Name (id)"), when the change was the ad set's, not the campaign's
    before_units: int | None = None  # a budget in the platform's units
    after_units: int | None = None
    before_status: str = ""  # a CampaignStatus
    after_status: str = ""
    actor: str = ""  # who, as the platform says (an email, a person's name)
    tool: str = ""  # what it was made with, as the platform says (Google's client type, Meta's application name)
    through_api: bool = False  # the platform says it came through its API (Google), or from Walker's app (Meta)


@dataclass(frozen=True)
class Figures:
    """A platform's estimate of a week of a campaign's results (Google's RecommendationMetrics)."""

    cost_units: int  # in the platform's units (Google micros) of the account's currency
    clicks: Decimal  # Google's may be averages over 90 days, so fractional
    conversions: Decimal


@dataclass(frozen=True)
class RemoteRecommendation:
    """One of the platform's own recommendations for a campaign, as listed now (adplatforms.recommendations)."""

    resource_name: str  # the platform's identity of it, the same on every read while it is offered
    kind: str  # agents.action_specs.recommendations.Kind
    campaign_external_id: str
    currency: str
    budget_units: int | None = None  # a budget recommendation: the recommended daily budget, platform units
    current_budget_units: int | None = None  # and the budget it was made against
    keyword: str = ""
    match_type: str = ""  # EXACT, PHRASE, BROAD
    ad_group: str = ""  # the keyword's ad group (a resource name)
    target_cpa_units: int | None = None
    target_roas: Decimal | None = None
    base: Figures | None = None  # Google's impact estimate: a week now...
    potential: Figures | None = None  # ...and a week once applied


@dataclass(frozen=True)
class Usage:
    """How much of a quota a response says is used (Meta's usage headers), read on every response."""

    scope: str  # "app" or "account"
    percent_used: int  # the highest of the figures the platform gave (calls, CPU time, total time)
    regain_seconds: int | None  # how long the platform says until access is regained, when throttled


UsageObserver = Callable[[Usage], None]


class AdPlatformClient(Protocol):
    """One ad account on one platform, with its credentials. Every method raises adplatforms.errors."""

    platform: str  # "google" or "meta" (agents.models.Campaign.Platform)

    def account(self) -> Account: ...

    def campaigns(self) -> Iterator[RemoteCampaign]: ...

    def campaign(self, external_id: str) -> RemoteCampaign:
        """One campaign read live (the executor's pre-read and read-back)."""
        ...

    def campaign_days(self, first: date, last: date) -> Iterator[CampaignDay]:
        """Daily performance of every campaign, `first` to `last` inclusive."""
        ...

    def account_days(self, first: date, last: date) -> Iterator[AccountDay]: ...

    def changes(self, since: datetime, until: datetime) -> Iterator[RemoteChange]:
        """The account's changes to campaign budgets and statuses committed from `since` to `until` (aware)."""
        ...

    def set_daily_budget(self, campaign: RemoteCampaign, units: int, *, validate_only: bool = False) -> None:
        """Set the absolute daily budget (never a delta); `validate_only` asks the platform to check it only."""
        ...

    def set_status(self, campaign: RemoteCampaign, status: str, *, validate_only: bool = False) -> None:
        """CampaignStatus.ACTIVE or PAUSED."""
        ...
