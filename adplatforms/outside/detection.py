"""The sync's reading of the platform's change history: each change to a linked campaign's daily budget or status
that Walker did not make is stored as an `OutsideChange`, and the waiting approvals it makes stale are told.

- The window: from an hour before the last successful sync (Google's history may lag three minutes; a re-read
  costs nothing), or FIRST_WINDOW back on a first sync, never more than MAX_WINDOW back (Google keeps 30 days).
- Walker's own change: a `PlatformChange` of the executor on the same campaign and field with the same value after,
  recorded within WALKER_WINDOW of the platform's time, each matched once; and, where the platform says what made
  it, made through the API (Google's client type GOOGLE_ADS_API; Meta: Walker's app, when the connection names its
  app id). A change in the web interface to the value Walker had just written is someone else's.
- Stored with `ignore_conflicts` on (connection, event, campaign): a platform's event never changes, so a re-read of
  the same window writes nothing. Each new row is claimed by one sync (a conditional update) before the waiting
  approvals are checked against it, so two syncs reading it never both tell the approvers.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from adplatforms.executor import amount_of
from adplatforms.models import AdConnection, PlatformCampaign, PlatformChange
from adplatforms.outside import waiting
from adplatforms.outside.models import OutsideChange
from adplatforms.platform import RemoteChange

OVERLAP = timedelta(hours=1)
FIRST_WINDOW = timedelta(days=7)
MAX_WINDOW = timedelta(days=29)
WALKER_WINDOW = timedelta(minutes=30)  # a PlatformChange is written after the read back, within the change's lease
BATCH = 500


def window(connection: AdConnection, now: datetime) -> tuple[datetime, datetime]:
    start = connection.last_synced_at - OVERLAP if connection.last_synced_at else now - FIRST_WINDOW
    return max(start, now - MAX_WINDOW), now


def record(connection: AdConnection, changes: list[RemoteChange]) -> list[OutsideChange]:
    """Store the outside changes among `changes`, tell the waiting approvals they make stale; the rows this call
    claimed (new to Walker)."""
    rows = _outside(connection, changes)
    with transaction.atomic():
        OutsideChange.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    claimed = _claim(connection)
    waiting.tell_waiting(claimed)
    return claimed


def _outside(connection: AdConnection, changes: list[RemoteChange]) -> list[OutsideChange]:
    by_external, by_budget = {}, defaultdict(list)
    for external_id, budget_id, campaign_id in PlatformCampaign.objects.filter(connection=connection).values_list(
        "external_id", "budget_id", "campaign_id"
    ):
        by_external[external_id] = campaign_id
        if budget_id:
            by_budget[budget_id].append(campaign_id)
    oldest = min((change.at for change in changes), default=timezone.now())
    ours = list(PlatformChange.objects.filter(connection=connection, at__gte=oldest - WALKER_WINDOW))
    matched, now, rows = set(), timezone.now(), []
    for change in changes:
        if change.campaign_external_id in by_external:
            campaigns = [by_external[change.campaign_external_id]]
        else:
            campaigns = by_budget.get(change.budget_id, []) if change.budget_id else []
        for campaign_id in campaigns:
            mine = _walkers(connection, change, campaign_id, ours, matched)
            if mine is not None:
                matched.add(mine.pk)
                continue
            rows.append(_row(connection, change, campaign_id, now))
    return rows


def _walkers(connection, change: RemoteChange, campaign_id, ours: list, matched: set) -> PlatformChange | None:
    """Walker's record of this change, if Walker made it."""
    says_what_made_it = connection.platform == AdConnection.Platform.GOOGLE or bool(connection.app_id)
    if change.ad_set or (says_what_made_it and not change.through_api):
        return None  # Walker never writes an ad set
    for record in ours:
        if (
            record.pk not in matched
            and record.campaign_id == campaign_id
            and record.field == change.field
            and abs(record.at - change.at) <= WALKER_WINDOW
            and _same_after(connection, record, change)
        ):
            return record
    return None


def _same_after(connection, record: PlatformChange, change: RemoteChange) -> bool:
    if change.field == PlatformChange.Field.STATUS:
        return record.after == change.after_status
    if change.after_units is None:
        return False
    if record.after_units is not None:
        return record.after_units == change.after_units
    return Decimal(record.after) == amount_of(connection.platform, change.after_units, connection.currency)


def _row(connection: AdConnection, change: RemoteChange, campaign_id, now) -> OutsideChange:
    if change.field == PlatformChange.Field.DAILY_BUDGET:
        before, after = (
            "" if units is None else str(amount_of(connection.platform, units, connection.currency))
            for units in (change.before_units, change.after_units)
        )
        currency = connection.currency
    else:
        before, after, currency = change.before_status, change.after_status, ""
    return OutsideChange(
        tenant_id=connection.tenant_id,
        connection=connection,
        campaign_id=campaign_id,
        event=change.key[:300],
        kind=change.field,
        at=change.at,
        before_units=change.before_units,
        after_units=change.after_units,
        before=before,
        after=after,
        currency=currency,
        actor=change.actor[:200],
        tool=change.tool[:100],
        ad_set=change.ad_set[:200],
        detected_at=now,
    )


def _claim(connection: AdConnection) -> list[OutsideChange]:
    """The unchecked rows of `connection` this call claims, one conditional update each."""
    unchecked = OutsideChange.objects.filter(connection=connection, approvals_checked_at__isnull=True)
    claimed = []
    for pk in list(unchecked.values_list("pk", flat=True)):
        if OutsideChange.objects.filter(pk=pk, approvals_checked_at__isnull=True).update(
            approvals_checked_at=timezone.now()
        ):
            claimed.append(pk)
    return list(OutsideChange.objects.filter(pk__in=claimed).select_related("campaign", "connection"))
