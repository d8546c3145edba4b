"""The daily reconciliation: for each completed day of the trailing window, the sum of Walker's synced campaign rows
beside the account's own daily total read from the platform, stored per (connection, day) and flagged when they
differ (docs/adplatforms.md, "Reconciliation").

- The window: the days the sync reads again (the connection's lookback), up to yesterday in the account's zone and
  never past the sync's cursor (`synced_through`), so a day the sync has not finished is not called a mismatch.
- Figures compared as integers: money in the platform's units (Google micros, Meta's units), conversions whole as
  Walker keeps them; a difference beyond what Walker's rounding explains (adplatforms.tolerance) is a mismatch.
- The platform's campaign rows of the same days say why: campaigns with figures there and none in Walker ("may be
  missing"), and campaigns whose figures changed since the last sync (a late conversion).
- Upserted on (connection, date): a re-run writes the same figures. A day that matches again (after a re-sync)
  is cleared. The tenant's admins are told of newly mismatched days once (a conditional update of `told_at`).
- A platform's failure does to the connection what it does in a sync (adplatforms.states), through the same limited
  client (adplatforms.clients).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from adplatforms import clients, errors, money, states, sync, tolerance, words
from adplatforms.models import AccountReconciliation, AdConnection, PlatformCampaign
from adplatforms.tolerance import FIGURES
from agents.models import CampaignDailyStat
from hitl.console import tell_consoles

NOTICE_KIND = "ad_reconciliation"


@dataclass
class Outcome:
    days: list[AccountReconciliation] = field(default_factory=list)
    failure: errors.PlatformError | None = None
    detail: str = ""  # the failure in plain words

    @property
    def mismatched(self) -> list[AccountReconciliation]:
        return [day for day in self.days if not day.matches]


def days_to_check(connection: AdConnection, today: date) -> tuple[date, date] | None:
    """The first and last day to reconcile, or None when the sync has completed none of them yet."""
    if connection.synced_through is None:
        return None
    last = min(today - timedelta(days=1), connection.synced_through)
    first = today - timedelta(days=connection.lookback_days or sync.DEFAULT_LOOKBACK[connection.platform])
    return (first, last) if first <= last else None


def reconcile_connection(connection: AdConnection) -> Outcome:
    """Reconcile `connection`'s completed days; raises sync.NotSyncable when the connection may not be used now."""
    sync.check_syncable(connection)
    outcome = Outcome()
    try:
        today = timezone.now().astimezone(sync.zone(connection.time_zone)).date()
        span = days_to_check(connection, today)
        if span is None:
            return outcome
        client = clients.client_for(connection)
        totals = {day.day: day for day in sync.listed(lambda: client.account_days(*span))}
        theirs = sync.listed(lambda: client.campaign_days(*span))
    except errors.PlatformError as err:
        states.record_failure(connection, err)
        outcome.failure, outcome.detail = err, words.refusal(connection.platform, err)
        return outcome
    outcome.days = _store(connection, _compare(connection, span, totals, theirs))
    _tell_once(connection)
    return outcome


def _compare(connection: AdConnection, span, totals: dict, theirs: list) -> list[AccountReconciliation]:
    platform, currency = connection.platform, connection.currency
    links = dict(PlatformCampaign.objects.filter(connection=connection).values_list("external_id", "campaign_id"))
    rows = CampaignDailyStat.objects.filter(
        tenant_id=connection.tenant_id, campaign__platform_link__connection=connection, date__range=span
    )
    walker_rows = {(row.campaign_id, row.date): row for row in rows}
    sums = {
        entry["date"]: entry
        for entry in rows.values("date").annotate(
            spend=Sum("spend"), revenue=Sum("revenue"), conv=Sum("conversions"), click=Sum("clicks"),
            impression=Sum("impressions"), count=Count("id"),
        )
    }  # fmt: skip
    missing, changed = defaultdict(int), defaultdict(int)
    for day in theirs:
        row = walker_rows.get((links.get(day.campaign_external_id), day.day))
        if row is None:
            if any((day.cost, day.impressions, day.clicks, day.conversions, day.conversion_value)):
                missing[day.day] += 1
        elif _as_walker_keeps(day) != (row.spend, row.revenue, row.conversions, row.clicks, row.impressions):
            changed[day.day] += 1
    now, compared = timezone.now(), []
    first, last = span
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        ours, total = sums.get(day, {}), totals.get(day)
        count = ours.get("count", 0)
        if total is None and not count:
            continue  # nothing on either side
        walker = {
            "cost": money.to_platform_units(ours.get("spend") or 0, platform, currency),
            "conversion_value": money.to_platform_units(ours.get("revenue") or 0, platform, currency),
            "conversions": ours.get("conv") or 0,
            "clicks": ours.get("click") or 0,
            "impressions": ours.get("impression") or 0,
        }
        reported = {
            "cost": money.to_platform_units(total.cost, platform, currency) if total else 0,
            "conversion_value": money.to_platform_units(total.conversion_value, platform, currency) if total else 0,
            "conversions": sync.conversions(total.conversions) if total else 0,
            "clicks": total.clicks if total else 0,
            "impressions": total.impressions if total else 0,
        }
        compared.append(
            AccountReconciliation(
                tenant_id=connection.tenant_id,
                connection=connection,
                date=day,
                currency=currency,
                **{f"walker_{name}": walker[name] for name in FIGURES},
                **{f"platform_{name}": reported[name] for name in FIGURES},
                campaign_rows=count,
                campaigns_missing=missing[day],
                campaigns_changed=changed[day],
                matches=not tolerance.differing(walker, reported, count, platform, currency),
                checked_at=now,
            )
        )
    return compared


def _as_walker_keeps(day) -> tuple:
    """A platform campaign day as the sync stores it (adplatforms.sync): spend, revenue, conversions, clicks,
    impressions."""
    return (
        Decimal(day.cost).quantize(sync.CENT, ROUND_HALF_EVEN),
        Decimal(day.conversion_value).quantize(sync.CENT, ROUND_HALF_EVEN),
        sync.conversions(day.conversions),
        day.clicks,
        day.impressions,
    )


def _store(connection: AdConnection, compared: list[AccountReconciliation]) -> list[AccountReconciliation]:
    figures = [f"{side}_{name}" for side in ("walker", "platform") for name in FIGURES]
    with transaction.atomic():
        AccountReconciliation.objects.bulk_create(
            compared,
            update_conflicts=True,
            unique_fields=["connection", "date"],
            update_fields=[*figures, "currency", "campaign_rows", "campaigns_missing", "campaigns_changed",
                           "matches", "checked_at"],
        )  # fmt: skip
        # A day that matches again is cleared: a later mismatch is told anew.
        AccountReconciliation.objects.filter(connection=connection, matches=True, told_at__isnull=False).update(
            told_at=None
        )
    return list(
        AccountReconciliation.objects.filter(connection=connection, date__in=[day.date for day in compared])
        .select_related("connection")
        .order_by("date")
    )


def _tell_once(connection: AdConnection) -> None:
    """A console notice to the tenant's admins for the days newly found mismatched, claimed by one caller."""
    waiting = list(
        AccountReconciliation.objects.filter(connection=connection, matches=False, told_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not waiting:
        return
    now = timezone.now()
    if not AccountReconciliation.objects.filter(pk__in=waiting, told_at__isnull=True).update(told_at=now):
        return
    newest = (
        AccountReconciliation.objects.filter(pk__in=waiting, told_at=now)
        .select_related("connection")
        .order_by("-date")
        .first()
    )
    message = {
        "type": "console.notice",
        "kind": NOTICE_KIND,
        "text": words.mismatch(newest),
        "link": reverse("admin:adplatforms_adconnection_change", args=[connection.pk]),
        "tenant_id": str(connection.tenant_id),
    }
    tell_consoles(connection.tenant_id, message)
