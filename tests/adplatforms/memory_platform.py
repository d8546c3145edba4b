"""An ad account held in memory that keeps the client contract (adplatforms.platform.AdPlatformClient).

For the tests of what Walker does with a platform (sync, execute, states); the Google Ads and Meta clients
themselves are tested over HTTP against fake servers on 127.0.0.1. Failures are queued per method
(`fail_next("set_daily_budget", errors.Unavailable("timeout"))`) and every call is recorded in `calls`.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from adplatforms import errors
from adplatforms.platform import Account, AccountDay, CampaignDay, CampaignStatus, RemoteCampaign, RemoteChange


@dataclass
class MemoryPlatform:
    platform: str = "google"
    account_info: Account = field(
        default_factory=lambda: Account(account_id="1234567890", name="Acme Ads", currency="USD", time_zone="UTC")
    )
    remote: dict[str, RemoteCampaign] = field(default_factory=dict)
    days: list[CampaignDay] = field(default_factory=list)
    totals: dict[date, AccountDay] = field(default_factory=dict)
    history: list[RemoteChange] = field(default_factory=list)  # the change history `changes` reads
    offered: list = field(default_factory=list)  # Google's recommendations `recommendations` lists (none by default)
    calls: list[tuple] = field(default_factory=list)
    failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    apply_writes: bool = True  # False: writes answer success but change nothing (a budget that reads back unchanged)
    apply_then_fail: str = ""  # a method whose next write is applied and then answered with Unavailable

    def add_campaign(self, external_id: str, name: str, units: int | None, **kwargs) -> RemoteCampaign:
        campaign = RemoteCampaign(
            external_id=external_id,
            name=name,
            status=kwargs.pop("status", CampaignStatus.ACTIVE),
            effective_status=kwargs.pop("effective_status", "ENABLED"),
            daily_budget_units=units,
            currency=self.account_info.currency,
            budget_id=kwargs.pop("budget_id", f"b{external_id}"),
            **kwargs,
        )
        self.remote[external_id] = campaign
        return campaign

    def add_day(self, external_id: str, day: date, *, cost="10.00", impressions=1000, clicks=50, conv="2", value="80"):
        self.days = [d for d in self.days if not (d.campaign_external_id == external_id and d.day == day)]
        self.days.append(
            CampaignDay(external_id, day, impressions, clicks, Decimal(cost), Decimal(conv), Decimal(value))
        )

    def fail_next(self, method: str, error: errors.PlatformError) -> None:
        self.failures[method].append(error)

    def _call(self, method: str, *args) -> None:
        self.calls.append((method, *args))
        if self.failures[method]:
            raise self.failures[method].popleft()

    # --- the contract -------------------------------------------------------------------

    def account(self) -> Account:
        self._call("account")
        return self.account_info

    def campaigns(self):
        self._call("campaigns")
        yield from list(self.remote.values())

    def campaign(self, external_id: str) -> RemoteCampaign:
        self._call("campaign", external_id)
        if external_id not in self.remote:
            raise errors.NotFound(f"Campaign {external_id} was not found")
        return self.remote[external_id]

    def campaign_days(self, first: date, last: date):
        self._call("campaign_days", first, last)
        yield from [d for d in self.days if first <= d.day <= last]

    def account_days(self, first: date, last: date):
        self._call("account_days", first, last)
        yield from [t for d, t in sorted(self.totals.items()) if first <= d <= last]

    def changes(self, since: datetime, until: datetime):
        self._call("changes", since, until)
        yield from [change for change in self.history if since <= change.at <= until]

    def recommendations(self):
        """Not recorded among `calls`: a sync's calls read as before recommendations were read."""
        yield from list(self.offered)

    def set_daily_budget(self, campaign: RemoteCampaign, units: int, *, validate_only: bool = False) -> None:
        self._call("set_daily_budget", campaign.external_id, units, validate_only)
        if validate_only:
            return
        self._write(campaign.external_id, "set_daily_budget", daily_budget_units=units)

    def set_status(self, campaign: RemoteCampaign, status: str, *, validate_only: bool = False) -> None:
        self._call("set_status", campaign.external_id, status, validate_only)
        if validate_only:
            return
        self._write(campaign.external_id, "set_status", status=status)

    def _write(self, external_id: str, method: str, **changes) -> None:
        if self.apply_writes:
            self.remote[external_id] = replace(self.remote[external_id], **changes)
        if self.apply_then_fail == method:
            self.apply_then_fail = ""
            raise errors.Unavailable("The platform did not answer within 30 s")

    def writes(self) -> list[tuple]:
        """The calls that would change the account (validation-only calls left out)."""
        return [c for c in self.calls if c[0] in ("set_daily_budget", "set_status") and not c[-1]]
