"""Each executed change of a synced campaign measured: its campaign's figures of the `days` whole days before the
day it ran and of those after (the tenant's days), and whether it held. A bounded number of queries for any number
of approvals: the campaigns, their daily figures and the later changes are each read once."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from agents.action_specs import SPECS
from agents.models import Campaign
from hitl.models import ApprovalStatus
from hitl.payoff.figures import Figures, Window, daily_rows, figures_in, windows_around
from hitl.payoff.held import Executed, LaterChange, later_changes

DAYS = 7  # the days before and after, by default: every weekday once
MAX_DAYS = 90
HELD_DAYS = 7  # a change that nobody reverted or changed again for a week held
CAMPAIGN = "campaign"  # the kind of target (agents.action_specs.base.Target) a change is measured on


class Hold:
    HELD = "held"
    HOLDING = "holding"  # nothing changed it yet, and its week is not over
    REVERTED = "reverted"
    CHANGED_AGAIN = "changed_again"
    UNKNOWN = "unknown"  # nothing records the campaign's later changes in this installation


@dataclass(frozen=True)
class Payoff:
    approval_id: uuid.UUID
    campaign_id: uuid.UUID
    campaign: str
    currency: str  # the campaign's: every amount here is in it
    platform: str
    executed_at: datetime
    executed_on: date  # the tenant's day it ran
    days: int
    before_window: Window
    after_window: Window
    before: Figures | None  # None: no day of the window has figures
    after: Figures | None  # the after window's days so far (up to yesterday)
    days_so_far: int  # whole days of the after window already over
    hold: str
    change: LaterChange | None
    held_days_so_far: int  # whole days since it ran, at most HELD_DAYS

    @property
    def complete(self) -> bool:
        return self.days_so_far >= self.days

    @property
    def has_figures(self) -> bool:
        return self.before is not None or self.after is not None

    @property
    def held(self) -> bool | None:
        """True when it held, False when it was reverted or changed again, None while that cannot be said yet."""
        if self.hold == Hold.HELD:
            return True
        if self.hold in (Hold.REVERTED, Hold.CHANGED_AGAIN):
            return False
        return None


def campaign_of(approval) -> uuid.UUID | None:
    """The campaign a change of Walker's own action types was made to, from its target; None for anything else."""
    spec = SPECS.get(approval.action_type)  # a tenant's registered types change nothing of Walker's campaigns
    if spec is None or spec.target is None or spec.target.kind != CAMPAIGN:
        return None
    if not isinstance(approval.action_data, dict):
        return None
    try:
        return uuid.UUID(str(approval.action_data.get(spec.target.fields[0])))
    except ValueError:
        return None


def measured(approval) -> bool:
    return approval.status == ApprovalStatus.EXECUTED and approval.executed_at is not None


def measure(tenant, approvals: Iterable, *, days: int = DAYS, now: datetime | None = None) -> dict:
    """{approval id: Payoff} for the executed changes among `approvals` (the tenant's) of campaigns a sync brought
    from an ad platform; the others are left out."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}")
    now = now or timezone.now()
    wanted = [(approval, campaign_of(approval)) for approval in approvals if measured(approval)]
    wanted = [(approval, campaign_id) for approval, campaign_id in wanted if campaign_id is not None]
    if not wanted:
        return {}
    campaigns = {
        row["pk"]: row
        for row in Campaign.objects.filter(
            tenant_id=tenant.pk, pk__in={campaign_id for _, campaign_id in wanted}, synced_at__isnull=False
        ).values("pk", "name", "currency", "platform")
    }
    wanted = [(approval, campaign_id) for approval, campaign_id in wanted if campaign_id in campaigns]
    if not wanted:
        return {}
    zone = ZoneInfo(tenant.timezone)
    yesterday = timezone.localdate(now, timezone=zone) - timedelta(days=1)
    around = {
        approval.pk: windows_around(timezone.localdate(approval.executed_at, timezone=zone), days)
        for approval, _ in wanted
    }
    figures = daily_rows(
        tenant.pk,
        campaigns.keys(),
        min(before.first for before, _ in around.values()),
        min(max(after.last for _, after in around.values()), yesterday),
    )
    executions = [Executed(a.pk, campaign_id, a.action_type, a.executed_at) for a, campaign_id in wanted]
    changed = later_changes(tenant.pk, executions, HELD_DAYS)
    return {
        approval.pk: _payoff(
            approval, campaigns[campaign_id], figures.get(campaign_id, {}), around[approval.pk], changed, now, yesterday
        )
        for approval, campaign_id in wanted
    }


def measure_one(approval, *, days: int = DAYS, now: datetime | None = None) -> Payoff | None:
    """One approval's payoff; no query for one that is not an executed change of a campaign (its page, its API)."""
    if not measured(approval) or campaign_of(approval) is None:
        return None
    return measure(approval.tenant, [approval], days=days, now=now).get(approval.pk)


def _payoff(approval, campaign: dict, days_of: dict, around, changed: dict | None, now, yesterday) -> Payoff:
    before_window, after_window = around
    so_far = Window(after_window.first, min(after_window.last, yesterday))
    days_so_far = max((so_far.last - so_far.first).days + 1, 0)
    change = (changed or {}).get(approval.pk)
    held_days = min(max((now - approval.executed_at).days, 0), HELD_DAYS)
    if changed is None:
        hold = Hold.UNKNOWN
    elif change is not None:
        hold = Hold.REVERTED if change.reverted else Hold.CHANGED_AGAIN
    elif now >= approval.executed_at + timedelta(days=HELD_DAYS):
        hold = Hold.HELD
    else:
        hold = Hold.HOLDING
    return Payoff(
        approval_id=approval.pk,
        campaign_id=campaign["pk"],
        campaign=campaign["name"],
        currency=campaign["currency"].upper(),
        platform=campaign["platform"],
        executed_at=approval.executed_at,
        executed_on=before_window.last + timedelta(days=1),
        days=(after_window.last - after_window.first).days + 1,
        before_window=before_window,
        after_window=after_window,
        before=figures_in(days_of, before_window),
        after=figures_in(days_of, so_far) if days_so_far else None,
        days_so_far=days_so_far,
        hold=hold,
        change=change,
        held_days_so_far=held_days,
    )
