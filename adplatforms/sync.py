"""Reading an ad account into Walker: its campaigns (as `agents.Campaign` rows linked by `PlatformCampaign`) and
their daily figures (`agents.CampaignDailyStat`), which the agents, read tools and briefs read.

Decisions, also in docs/adplatforms.md ("Sync"):

- The window: from the day after the cursor (`synced_through`) or the lookback (`lookback_days`, else Google 14 and
  Meta 28 days, for late conversions), whichever is earlier, never more than 90 days back — or from `since` — to
  today in the account's time zone. Today's figures are read too (they are partial); the cursor advances only
  over whole days, up to yesterday.
- Upserts on natural keys: links on (connection, external id), figures on (campaign, day), campaigns on their id,
  all with `bulk_create(update_conflicts=True)` in batches, so the statements grow with batches, not rows, and a
  re-run with the same platform data writes the same values.
- Conversions are whole in Walker (the column): the platform's fractional count is rounded half to even;
  spend and revenue are rounded half to even to cents.
- Names: a campaign of the tenant with the synced campaign's name and no link is adopted when its platform is the
  same (it is the campaign, kept in Walker before the connection); otherwise the synced one is named
  "Name (Google Ads 123-456-7890)", and "Name (Google Ads 123-456-7890, 42)" when that is taken too (Meta allows
  two campaigns of one name in an account).
- A campaign removed on the platform, or no longer listed, is paused in Walker (Campaign has no removed status);
  its link keeps the platform's word (`effective_status`, "REMOVED" when no longer listed) and its figures stay.
- A campaign whose budget lives elsewhere (Meta ad sets) keeps its daily budget in Walker (0 when new).
- An `ExpiredPageToken` starts the listing over, once.
- One sync of a connection at a time (a lock in the cache): a second one is refused as already running.
- Changes made elsewhere: after the campaigns, the platform's change history of the trailing window is read and
  the changes to a linked campaign's budget or status that Walker did not make are stored (adplatforms.outside).
- Google's recommendations: decided proposals are settled (a rejected one dismissed on Google), then each one listed
  is filed once as a proposal and a waiting one no longer listed is withdrawn (adplatforms.recommendations). Google
  refusing them fails no sync: the run succeeds with the campaigns and figures, its error saying they were not read.
- Nothing caches these figures: `agents.performance` (the engines, the read tools, the brief) and the dashboard
  read the table on every request, so the next read sees the sync.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms import clients, errors, money, states, words
from adplatforms.models import AdConnection, ConnectionState, PlatformCampaign, SyncRun
from adplatforms.outside import detection
from adplatforms.platform import CampaignStatus, RemoteCampaign
from adplatforms.recommendations import filing, settling
from agents.models import Campaign, CampaignDailyStat
from core.errors import WalkerError

DEFAULT_LOOKBACK = {AdConnection.Platform.GOOGLE: 14, AdConnection.Platform.META: 28}
MAX_LOOKBACK = 90
BATCH = 500
GONE = "REMOVED"  # the link's platform status of a campaign the platform no longer lists
CENT = Decimal("0.01")
LOCK_SECONDS = 30 * 60  # one sync of a connection at a time; a worker that died frees it after this


class NotSyncable(WalkerError):
    """The connection may not be synced now (disconnected, waiting for re-authorisation, paused for quota)."""

    def __init__(self, detail: str, *, retry_after: float | None = None):
        super().__init__("connection_not_usable", detail)
        self.retry_after = retry_after


@dataclass
class Outcome:
    campaigns: int = 0
    links: dict = field(default_factory=dict)  # external id -> campaign id


def sync_connection(connection: AdConnection, *, since: date | None = None, progress=None) -> SyncRun:
    """Read `connection`'s account, campaigns and daily figures into Walker; the run, succeeded or failed (a failed
    run carries the platform's error as `run.failure`, for the caller to retry or report). `progress(step)` hears
    each step done ("account", "campaigns", "days", "changes"). Raises NotSyncable when the connection may not be
    used now."""
    check_syncable(connection)
    lock = f"adplatforms:syncing:{connection.pk}"
    if not cache.add(lock, 1, timeout=LOCK_SECONDS):
        raise NotSyncable(_("A sync of this connection is already running."))
    try:
        return _sync(connection, since, progress or (lambda step: None))
    finally:
        cache.delete(lock)


def _sync(connection: AdConnection, since: date | None, tell) -> SyncRun:
    run = SyncRun.objects.create(tenant_id=connection.tenant_id, connection=connection)
    run.failure = None
    unread = ""  # why Google's recommendations were not read, when they were not
    try:
        client = clients.client_for(connection)
        account = client.account()
        account_zone = zone(account.time_zone)
        AdConnection.objects.filter(pk=connection.pk).update(
            name=account.name[:200], currency=account.currency, time_zone=account.time_zone
        )
        connection.name, connection.currency, connection.time_zone = (
            account.name[:200],
            account.currency,
            account.time_zone,
        )
        tell("account")
        today = timezone.now().astimezone(account_zone).date()
        run.first_day, run.last_day = window(connection, today, since), today
        remote = listed(client.campaigns)
        outcome = _save_campaigns(connection, remote)
        run.campaigns = outcome.campaigns
        tell("campaigns")
        days = listed(lambda: client.campaign_days(run.first_day, run.last_day))
        run.campaign_days = _save_days(connection, outcome.links, days)
        tell("days")
        since, until = detection.window(connection, timezone.now())
        run.outside_changes = len(detection.record(connection, listed(lambda: client.changes(since, until))))
        tell("changes")
        if connection.platform == AdConnection.Platform.GOOGLE:  # Meta's are not read (docs/adplatforms.md)
            unread = _recommendations(connection, client)
            tell("recommendations")
    except errors.PlatformError as err:
        run.failure = err
        states.record_failure(connection, err)
        _finish(run, SyncRun.Status.FAILED, words.refusal(connection.platform, err))
        return run
    except WalkerError as err:  # bad input (a `since` after today)
        _finish(run, SyncRun.Status.FAILED, err.detail)
        return run
    except Exception as err:
        _finish(run, SyncRun.Status.FAILED, _("Walker failed (%(error)s)") % {"error": type(err).__name__})
        raise
    now = timezone.now()
    yesterday = today - timedelta(days=1)
    through = max(connection.synced_through, yesterday) if connection.synced_through else yesterday
    AdConnection.objects.filter(pk=connection.pk).update(synced_through=through, last_synced_at=now)
    connection.synced_through, connection.last_synced_at = through, now
    _finish(run, SyncRun.Status.SUCCEEDED, unread)
    return run


def _recommendations(connection: AdConnection, client) -> str:
    """Google's recommendations settled, read and filed; "" when done, else why they were not read. A platform's
    refusal here does not fail the sync: the campaigns and figures already read stand, the connection's state follows
    the refusal as for any call (a quota pauses it), and the next sync reads the recommendations again."""
    try:
        settling.settle(connection, client)
        filing.record(connection, listed(client.recommendations))
    except errors.PlatformError as err:
        states.record_failure(connection, err)
        return _("Recommendations not read: %(refusal)s") % {"refusal": words.refusal(connection.platform, err)}
    return ""


def check_syncable(connection: AdConnection) -> None:
    """Raise NotSyncable, in plain words, unless the connection may be read now (an expired quota pause ends)."""
    if connection.state in (ConnectionState.DISABLED, ConnectionState.NEEDS_REAUTHORISATION):
        raise NotSyncable(words.state_words(connection))
    if not states.resume_if_due(connection):
        left = (connection.paused_until - timezone.now()).total_seconds() if connection.paused_until else None
        raise NotSyncable(words.state_words(connection), retry_after=left)


def window(connection: AdConnection, today: date, since: date | None = None) -> date:
    """The first day to read: `since`, else the earlier of the day after the cursor and the lookback's start,
    never more than MAX_LOOKBACK days back."""
    if since is not None:
        if since > today:
            raise WalkerError("invalid", _("%(since)s is after today (%(today)s) in the account's time zone") % {
                "since": since, "today": today
            })  # fmt: skip
        return since
    lookback = today - timedelta(days=connection.lookback_days or DEFAULT_LOOKBACK[connection.platform])
    first = min(connection.synced_through + timedelta(days=1), lookback) if connection.synced_through else lookback
    return max(first, today - timedelta(days=MAX_LOOKBACK))


def conversions(value: Decimal) -> int:
    """The platform's (fractional) conversions as Walker's whole count: rounded half to even (2.5 -> 2)."""
    return int(Decimal(value).quantize(Decimal(1), ROUND_HALF_EVEN))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.InvalidRequest(f"the account's time zone {name!r} is not one Walker knows") from None


def listed(listing) -> list:
    """Every item of `listing()`, started over once when its page token expires."""
    try:
        return list(listing())
    except errors.ExpiredPageToken:
        return list(listing())


def _budget(connection: AdConnection, remote: RemoteCampaign) -> Decimal | None:
    if remote.daily_budget_units is None:
        return None
    if connection.platform == AdConnection.Platform.GOOGLE:
        return money.from_micros(remote.daily_budget_units, remote.currency)
    return money.from_meta_units(remote.daily_budget_units, remote.currency)


def _fit(name: str) -> str:
    return name if len(name) <= 200 else name[:199] + "…"


class _Names:
    """The tenant's campaign names, to give each synced campaign one nobody else has."""

    def __init__(self, connection: AdConnection):
        self.label = f"{words.platform_name(connection.platform)} {words.account_label(connection)}"
        rows = Campaign.objects.filter(tenant_id=connection.tenant_id).values_list(
            "id", "name", "platform", "platform_link"
        )
        self.owner = {name: campaign_id for campaign_id, name, _platform, _link in rows}
        self.adoptable = {
            name: campaign_id
            for campaign_id, name, platform, link in rows
            if link is None and platform == connection.platform
        }

    def name_all(self, pairs: list) -> None:
        """Name each (remote, campaign): first every one that can keep the platform's name, then the rest with the
        account in it, so which gets the plain name never depends on the listing's order."""
        for campaign in [campaign for campaign, _remote in pairs]:
            self.release(campaign.id)
        unnamed = []
        for campaign, remote in pairs:
            if not self._take(_fit(remote.name), campaign.id):
                unnamed.append((campaign, remote))
            else:
                campaign.name = _fit(remote.name)
        for campaign, remote in unnamed:
            for candidate in (f"{remote.name} ({self.label})", f"{remote.name} ({self.label}, {remote.external_id})"):
                if self._take(_fit(candidate), campaign.id):
                    campaign.name = _fit(candidate)
                    break
            else:
                raise errors.InvalidRequest(f"no free name for campaign {remote.external_id} in Walker")

    def _take(self, name: str, campaign_id) -> bool:
        if self.owner.get(name, campaign_id) != campaign_id:
            return False
        self.owner[name] = campaign_id
        return True

    def release(self, campaign_id) -> None:
        for name, owner in list(self.owner.items()):
            if owner == campaign_id:
                del self.owner[name]


def _save_campaigns(connection: AdConnection, listed: list[RemoteCampaign]) -> Outcome:
    now = timezone.now()
    links = {link.external_id: link for link in PlatformCampaign.objects.filter(connection=connection)}
    names = _Names(connection)
    existing = Campaign.objects.in_bulk([*(link.campaign_id for link in links.values()), *names.adoptable.values()])
    pairs = []
    for remote in listed:
        link = links.get(remote.external_id)
        campaign = existing.get(link.campaign_id) if link else None
        if campaign is None and remote.name in names.adoptable:
            campaign = existing[names.adoptable.pop(remote.name)]
        if campaign is None:
            campaign = Campaign(id=uuid.uuid4(), tenant_id=connection.tenant_id, daily_budget=Decimal("0"))
        pairs.append((campaign, remote))
    names.name_all(pairs)
    campaigns, new_links, outcome = [], [], Outcome()
    for campaign, remote in pairs:
        campaign.platform = connection.platform
        campaign.status = Campaign.Status.ACTIVE if remote.status == CampaignStatus.ACTIVE else Campaign.Status.PAUSED
        budget = _budget(connection, remote)
        campaign.daily_budget = campaign.daily_budget if budget is None else budget
        campaign.currency, campaign.synced_at = remote.currency, now
        campaigns.append(campaign)
        new_links.append(
            PlatformCampaign(
                tenant_id=connection.tenant_id,
                connection=connection,
                campaign_id=campaign.id,
                external_id=remote.external_id,
                effective_status=remote.effective_status[:40],
                budget_id=remote.budget_id,
                budget_shared=remote.budget_shared,
                budget_level=remote.budget_level,
                daily_budget_units=remote.daily_budget_units,
                synced_at=now,
            )
        )
        outcome.links[remote.external_id] = campaign.id
    gone = [link.campaign_id for external_id, link in links.items() if external_id not in outcome.links]
    with transaction.atomic():
        Campaign.objects.bulk_create(
            campaigns,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["name", "platform", "status", "daily_budget", "currency", "synced_at", "updated_at"],
        )
        PlatformCampaign.objects.bulk_create(
            new_links,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["connection", "external_id"],
            update_fields=[
                "effective_status", "budget_id", "budget_shared", "budget_level", "daily_budget_units", "synced_at"
            ],
        )  # fmt: skip
        if gone:
            PlatformCampaign.objects.filter(connection=connection, campaign_id__in=gone).update(effective_status=GONE)
            Campaign.objects.filter(pk__in=gone).update(status=Campaign.Status.PAUSED, updated_at=now)
    outcome.campaigns = len(campaigns)
    return outcome


def _save_days(connection: AdConnection, links: dict, days: list) -> int:
    """Upsert the figures of linked campaigns on (campaign, day); figures of campaigns the listing did not name
    are left out (there is no campaign in Walker to hold them)."""
    rows = {}
    for day in days:
        campaign_id = links.get(day.campaign_external_id)
        if campaign_id is None:
            continue
        rows[(campaign_id, day.day)] = CampaignDailyStat(
            id=uuid.uuid4(),
            tenant_id=connection.tenant_id,
            campaign_id=campaign_id,
            date=day.day,
            spend=Decimal(day.cost).quantize(CENT, ROUND_HALF_EVEN),
            impressions=day.impressions,
            clicks=day.clicks,
            conversions=conversions(day.conversions),
            revenue=Decimal(day.conversion_value).quantize(CENT, ROUND_HALF_EVEN),
        )
    with transaction.atomic():
        CampaignDailyStat.objects.bulk_create(
            list(rows.values()),
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["campaign", "date"],
            update_fields=["spend", "impressions", "clicks", "conversions", "revenue"],
        )
    return len(rows)


def _finish(run: SyncRun, status: str, error: str) -> None:
    run.status, run.error, run.finished_at = status, error[:500], timezone.now()
    run.save(
        update_fields=[
            "status", "error", "finished_at", "first_day", "last_day", "campaigns", "campaign_days", "outside_changes"
        ]
    )  # fmt: skip
