"""The waiting approvals an outside change makes stale: a budget change whose "before" (the budget the approver sees,
`previous_daily_budget`) is no longer the campaign's budget, a pause of a campaign no longer active, a resume of one
no longer paused (a change of one of its ad sets leaves the campaign's own budget and status as they were). Their
approvers are told at once through hitl (`tell_target_changed`: recorded in the approval's
history, once per change); the decision is left to them, and the executor's pre-read still refuses a change whose
"before" does not hold.
"""

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, gettext_noop

from adplatforms import words
from adplatforms.executor import STATUS_TARGETS, STATUS_WORDS
from adplatforms.outside.models import OutsideChange
from adplatforms.platform import CampaignStatus
from agents.action_specs.base import money
from core.sentence import Money, Sentence
from hitl.models import ApprovalStatus, HITLApproval
from hitl.services.target_changed import tell_target_changed

# What a waiting pause or resume expects the campaign to be now.
EXPECTED_STATUS = {"pause_campaign": CampaignStatus.ACTIVE, "resume_campaign": CampaignStatus.PAUSED}
ACTION_TYPES = {OutsideChange.Kind.DAILY_BUDGET: ["set_budget"], OutsideChange.Kind.STATUS: list(STATUS_TARGETS)}
UNNAMED = gettext_lazy("someone the platform does not name")


def tell_waiting(changes: list[OutsideChange]) -> int:
    """Tell the approvers of each waiting approval that the newest of `changes` on its campaign makes stale; how
    many approvals were told."""
    newest: dict[tuple, OutsideChange] = {}
    for change in sorted(changes, key=lambda change: change.at):
        if not change.ad_set:
            newest[(change.campaign_id, change.kind)] = change
    told = 0
    for (campaign_id, kind), change in newest.items():
        latest = OutsideChange.objects.filter(campaign_id=campaign_id, kind=kind, ad_set="").order_by("-at").first()
        if latest.pk != change.pk:
            continue  # a later change is known already (read earlier): it was checked then
        approvals = HITLApproval.objects.filter(
            tenant_id=change.tenant_id,
            status=ApprovalStatus.PENDING,
            action_type__in=ACTION_TYPES[kind],
            action_data__campaign_id=str(campaign_id),
        )
        for approval in approvals:
            expected = _expected(approval)
            if expected is None or expected == _after(change):
                continue
            told += tell_target_changed(approval.pk, change=str(change.pk), said=_said(change, expected))
    return told


def _expected(approval: HITLApproval):
    if approval.action_type == "set_budget":
        return money(approval.action_data.get("previous_daily_budget"))
    return EXPECTED_STATUS.get(approval.action_type)


def _after(change: OutsideChange):
    return Decimal(change.after) if change.kind == OutsideChange.Kind.DAILY_BUDGET else change.after


def _said(change: OutsideChange, expected) -> Sentence:
    """The words for the approvers, its figures kept: each reads them in their own language, and the moment in
    their own zone."""
    shown = {
        "campaign": change.campaign.name,
        "platform": words.platform_name(change.connection.platform),
        "who": change_by(change),
        "when": change.at,
    }
    if change.kind == OutsideChange.Kind.DAILY_BUDGET:
        amount = lambda value: Money(Decimal(value), change.currency) if value != "" else "—"  # noqa: E731
        return Sentence(
            gettext_noop(
                "%(campaign)s's daily budget was changed on %(platform)s outside Walker, from %(before)s to "
                "%(after)s, by %(who)s (%(when)s). This request expected %(expected)s: check it before you decide."
            ),
            **shown, before=amount(change.before), after=amount(change.after),
            expected=Money(expected, change.currency),
        )  # fmt: skip
    return Sentence(
        gettext_noop(
            "%(campaign)s was set %(after)s on %(platform)s outside Walker (it was %(before)s), by %(who)s "
            "(%(when)s). This request expected it %(expected)s: check it before you decide."
        ),
        **shown, before=STATUS_WORDS.get(change.before, change.before),
        after=STATUS_WORDS.get(change.after, change.after), expected=STATUS_WORDS.get(expected, expected),
    )  # fmt: skip


def change_by(change: OutsideChange) -> str | Promise:
    """Who made it and with what, as the platform says: "dana@acme.test, GOOGLE_ADS_WEB_CLIENT" (else words
    translated when read)."""
    said = ", ".join(part for part in (change.actor, change.tool) if part)
    return said or UNNAMED
