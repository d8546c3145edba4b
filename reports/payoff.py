"""Did it pay off, per agent, rule, approver or action type (issue 51, point 5): what became of the proposals
requested in a range (approved unedited or edited, rejected, expired), whether the changes executed on synced
campaigns held, the spend they moved and the results before and after, each in its currency.

Computed on demand from the approvals (hitl.payoff measures each executed change) in a fixed number of queries,
whatever the number of approvals. Money is never added across currencies: each group's money is one set of figures
per currency. The results before and after add up the changes *compared*: executed, their days after all over, with
figures on both sides; a change still in its days after counts as measuring.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from agents.actions import action_name, agent_name
from agents.models import Campaign
from conversations.delivery import display_name
from hitl.models import ApprovalStatus, HITLApprovalHistory, HITLDecision
from hitl.payoff import DAYS, measure
from hitl.payoff.data import as_data, in_currency, ratio
from hitl.payoff.figures import Figures
from hitl.payoff.measure import Hold, campaign_of
from reports.queries import Range, approvals_for
from tenants.models import Tenant, User

GROUPS = ("agent", "rule", "approver", "action_type")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
FIELDS = ("pk", "tenant_id", "reference", "status", "action_type", "action_data", "agent_type",
          "requested_by_rule", "approved_at", "executed_at")  # fmt: skip


@dataclass
class Group:
    key: str
    name: str = ""
    requests: int = 0
    approved_unedited: int = 0
    approved_edited: int = 0
    rejected: int = 0
    expired: int = 0
    executed: int = 0  # changes of synced campaigns measured
    held: int = 0
    reverted: int = 0
    changed_again: int = 0
    holding: int = 0  # not changed yet, within their 7 days
    measuring: int = 0  # their days after are not all over yet
    before: dict = field(default_factory=lambda: defaultdict(Figures))  # {currency: Figures} of compared changes
    after: dict = field(default_factory=lambda: defaultdict(Figures))
    compared: dict = field(default_factory=lambda: defaultdict(int))  # {currency: changes}

    def add(self, approval, payoff) -> None:
        self.requests += 1
        if approval.approved_at is not None:
            if approval.edited:
                self.approved_edited += 1
            else:
                self.approved_unedited += 1
        self.rejected += approval.status == ApprovalStatus.REJECTED
        self.expired += approval.status == ApprovalStatus.EXPIRED
        if payoff is None:
            return
        self.executed += 1
        self.held += payoff.hold == Hold.HELD
        self.reverted += payoff.hold == Hold.REVERTED
        self.changed_again += payoff.hold == Hold.CHANGED_AGAIN
        self.holding += payoff.hold == Hold.HOLDING
        if not payoff.complete:
            self.measuring += 1
        elif payoff.before is not None and payoff.after is not None:
            self.compared[payoff.currency] += 1
            self.before[payoff.currency] += payoff.before
            self.after[payoff.currency] += payoff.after

    def as_data(self) -> dict:
        currencies = sorted(self.compared)
        return {
            "key": self.key,
            "name": self.name,
            **{name: getattr(self, name) for name in COUNTS},
            "results": {
                code: {
                    "changes_compared": self.compared[code],
                    "spend_moved": in_currency(self.after[code].spend - self.before[code].spend, code),
                    "before": _figures(self.before[code], code),
                    "after": _figures(self.after[code], code),
                }
                for code in currencies
            },
        }


COUNTS = ("requests", "approved_unedited", "approved_edited", "rejected", "expired", "executed", "held", "reverted",
          "changed_again", "holding", "measuring")  # fmt: skip


def _figures(figures: Figures, currency: str) -> dict:
    return {
        "spend": in_currency(figures.spend, currency),
        "conversions": figures.conversions,
        "value": in_currency(figures.value, currency),
        "cpa": in_currency(figures.cpa, currency),
        "roas": ratio(figures.roas),
    }


def _approvals(user, span: Range, platform: str) -> list:
    edited = HITLApprovalHistory.objects.filter(approval=OuterRef("pk"), event_type=HITLApprovalHistory.Event.EDITED)
    rows = list(approvals_for(user, span).only(*FIELDS).annotate(edited=Exists(edited)).order_by("requested_at", "pk"))
    if not platform:
        return rows
    campaigns = {row: campaign_of(row) for row in rows}
    on_platform = set(
        Campaign.objects.filter(pk__in={c for c in campaigns.values() if c}, platform=platform).values_list(
            "pk", flat=True
        )
    )
    return [row for row in rows if campaigns[row] in on_platform]


def _measured(rows: list, days: int, now) -> dict:
    """{approval id: Payoff}, measured tenant by tenant (a platform superuser's report spans tenants)."""
    by_tenant = defaultdict(list)
    for row in rows:
        by_tenant[row.tenant_id].append(row)
    tenants = Tenant.objects.in_bulk(list(by_tenant)) if by_tenant else {}
    found = {}
    for tenant_id, approvals in by_tenant.items():
        found |= measure(tenants[tenant_id], approvals, days=days, now=now)
    return found


def _deciders(rows: list) -> dict:
    """{approval id: [the ids of the people who decided it]}: automatic decisions and expiries have none."""
    found = defaultdict(list)
    decisions = HITLDecision.objects.filter(approval_id__in=[row.pk for row in rows], approver__isnull=False)
    for approval_id, person in decisions.values_list("approval_id", "approver_id").order_by("decided_at"):
        if person not in found[approval_id]:
            found[approval_id].append(person)
    return found


def _keys(row, group_by: str, deciders: dict) -> list[str]:
    if group_by == "agent":
        return [row.agent_type]
    if group_by == "rule":
        return [row.requested_by_rule]
    if group_by == "action_type":
        return [row.action_type]
    return [str(person) for person in deciders.get(row.pk, [])] or [""]


def _name(groups: list[Group], group_by: str) -> None:
    if group_by == "approver":
        people = User.objects.in_bulk([uuid.UUID(g.key) for g in groups if g.key])
        for group in groups:
            person = people.get(uuid.UUID(group.key)) if group.key else None
            group.name = display_name(person) if person is not None else ""
        return
    for group in groups:
        if group_by == "agent":
            group.name = str(agent_name(group.key)) if group.key else ""
        elif group_by == "action_type":
            group.name = str(action_name(group.key))
        else:
            group.name = group.key


def payoff_groups(user, span: Range, group_by: str, *, platform: str = "", days: int = DAYS, now=None) -> tuple:
    """(the totals as a Group, the groups by most requests) of the proposals requested in `span`."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    rows = _approvals(user, span, platform)
    payoffs = _measured(rows, days, now or timezone.now())
    deciders = _deciders(rows) if group_by == "approver" and rows else {}
    totals, groups = Group(key=""), {}
    for row in rows:
        payoff = payoffs.get(row.pk)
        totals.add(row, payoff)
        for key in _keys(row, group_by, deciders):
            groups.setdefault(key, Group(key=key)).add(row, payoff)
    ordered = sorted(groups.values(), key=lambda g: (-g.requests, g.key))
    _name(ordered, group_by)
    return totals, ordered


def payoff_report(user, span: Range, group_by: str, *, platform: str = "", page: int = 1, page_size: int = PAGE_SIZE,
                  days: int = DAYS, now=None) -> dict:  # fmt: skip
    totals, groups = payoff_groups(user, span, group_by, platform=platform, days=days, now=now)
    pages = max((len(groups) + page_size - 1) // page_size, 1)
    shown = groups[(page - 1) * page_size : page * page_size]
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "timezone": str(span.zone),
        "group_by": group_by,
        "platform": platform or None,
        "days": days,
        "totals": {k: v for k, v in totals.as_data().items() if k not in ("key", "name")},
        "count": len(groups),
        "page": page,
        "pages": pages,
        "groups": [group.as_data() for group in shown],
    }


def payoff_changes(user, span: Range, *, platform: str = "", days: int = DAYS, now=None) -> list[dict]:
    """Each executed change of a synced campaign among the proposals requested in `span`, in the order they ran: the
    approval, its payoff (hitl.payoff.data) and what the change was. Who changed it outside Walker is left out (a
    person, named on the approval's page); the tool and Walker's later approval are kept."""
    rows = _approvals(user, span, platform)
    payoffs = _measured(rows, days, now or timezone.now())
    measured = sorted((row for row in rows if row.pk in payoffs), key=lambda row: (row.executed_at, row.pk))
    return [{"approval": row, "payoff": as_data(payoffs[row.pk])} for row in measured]
