"""The waiting approvals an outside change makes stale: a budget change whose "before" (the budget the approver sees,
`previous_daily_budget`) is no longer the campaign's budget, a pause of a campaign no longer active, a resume of one
no longer paused (a change of one of its ad sets leaves the campaign's own budget and status as they were). Their
approvers are told at once through hitl (`tell_target_changed`: recorded in the approval's
history, once per change); the decision is left to them, and the executor's pre-read still refuses a change whose
"before" does not hold.
"""

from datetime import UTC
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adplatforms import words
from adplatforms.executor import STATUS_TARGETS, status_words
from adplatforms.outside.models import OutsideChange
from adplatforms.platform import CampaignStatus
from agents.action_specs.base import money
from core.money import money_exact
from hitl.models import ApprovalStatus, HITLApproval
from hitl.services.target_changed import tell_target_changed

# What a waiting pause or resume expects the campaign to be now.
EXPECTED_STATUS = {"pause_campaign": CampaignStatus.ACTIVE, "resume_campaign": CampaignStatus.PAUSED}
ACTION_TYPES = {OutsideChange.Kind.DAILY_BUDGET: ["set_budget"], OutsideChange.Kind.STATUS: list(STATUS_TARGETS)}


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
            said = _describe(change, expected)
            told += tell_target_changed(approval.pk, change=str(change.pk), describe=said)
    return told


def _expected(approval: HITLApproval):
    if approval.action_type == "set_budget":
        return money(approval.action_data.get("previous_daily_budget"))
    return EXPECTED_STATUS.get(approval.action_type)


def _after(change: OutsideChange):
    return Decimal(change.after) if change.kind == OutsideChange.Kind.DAILY_BUDGET else change.after


def _describe(change: OutsideChange, expected):
    """The words for the approvers, written when called (in each one's language)."""

    def said() -> str:
        shown = {
            "campaign": change.campaign.name,
            "platform": words.platform_name(change.connection.platform),
            "who": change_by(change),
            "when": date_format(change.at.astimezone(UTC), "DATETIME_FORMAT"),
        }
        if change.kind == OutsideChange.Kind.DAILY_BUDGET:
            amount = lambda value: money_exact(Decimal(value), change.currency) if value != "" else "—"  # noqa: E731
            return _(
                "%(campaign)s's daily budget was changed on %(platform)s outside Walker, from %(before)s to "
                "%(after)s, by %(who)s (%(when)s UTC). This request expected %(expected)s: check it before you decide."
            ) % {**shown, "before": amount(change.before), "after": amount(change.after),
                 "expected": money_exact(expected, change.currency)}  # fmt: skip
        names = status_words()
        return _(
            "%(campaign)s was set %(after)s on %(platform)s outside Walker (it was %(before)s), by %(who)s "
            "(%(when)s UTC). This request expected it %(expected)s: check it before you decide."
        ) % {**shown, "before": names.get(change.before, change.before), "after": names.get(change.after, change.after),
             "expected": names.get(expected, expected)}  # fmt: skip

    return said


def change_by(change: OutsideChange) -> str:
    """Who made it and with what, as the platform says: "dana@acme.test, GOOGLE_ADS_WEB_CLIENT"."""
    said = ", ".join(part for part in (change.actor, change.tool) if part)
    return said or _("someone the platform does not name")
