"""One run of one rule: the campaigns it fires for on the last whole day, each filed as a proposal through
`request_approval` (or told to the admins), within the rule's cool-down per campaign and its cap per run.

Safe twice over: the run holds the rule's row (`select_for_update(no_key=True)`) from reading the cool-downs to
committing its firings, so a second run of the same rule at once waits and then finds every campaign cooling down;
and `request_approval` keeps one waiting request per target (hitl.services.conflicts), the same proposal filed
twice is refused as already waiting.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adplatforms.rules import describe, notices, proposing
from adplatforms.rules.evaluation import Hit, evaluate, last_complete_day
from adplatforms.rules.models import PerformanceRule, RuleAction, RuleFiring
from agents.models import AgentType, AIAgent
from hitl.services.conflicts import AlreadyWaiting
from hitl.services.requests import request_approval

Outcome = RuleFiring.Outcome


@dataclass
class RunResult:
    firings: list[RuleFiring] = field(default_factory=list)
    cooling: int = 0  # campaigns the rule fired for that were left alone (cool-down)
    over_cap: int = 0  # campaigns left for the next run (the cap per run)


def cooling_down(rule: PerformanceRule, now) -> set:
    """The campaigns the rule fired for within its cool-down, whatever came of it."""
    since = now - timedelta(hours=rule.cooldown_hours)
    return set(rule.firings.filter(fired_at__gt=since).values_list("campaign_id", flat=True))


def run_rule(rule_id, *, now=None) -> RunResult | None:
    """Run the enabled rule `rule_id` now; None when it is gone or disabled."""
    now = now or timezone.now()
    with transaction.atomic():
        rule = (
            PerformanceRule.objects.select_for_update(no_key=True, of=("self",))
            .select_related("tenant")
            .filter(pk=rule_id, enabled=True)
            .first()
        )
        if rule is None:
            return None
        result = RunResult()
        cooling = cooling_down(rule, now)
        last_day = last_complete_day(rule.tenant, now)
        for hit in evaluate(rule, last_day):
            if hit.campaign.pk in cooling:
                result.cooling += 1
            elif len(result.firings) >= rule.max_per_run:
                result.over_cap += 1
            else:
                result.firings.append(_fire(rule, hit, now))
        rule.last_run_at = now
        rule.save(update_fields=["last_run_at"])
        return result


def _fire(rule: PerformanceRule, hit: Hit, now) -> RuleFiring:
    firing = RuleFiring(
        tenant_id=rule.tenant_id,
        rule=rule,
        campaign=hit.campaign,
        fired_at=now,
        last_day=hit.last,
        figures=describe.figures(rule, hit)[:300],
    )
    if rule.action == RuleAction.NOTIFY:
        notices.tell_admins(rule, hit)
        firing.outcome = Outcome.NOTIFIED
    else:
        firing.outcome, firing.approval_id, firing.detail = _file(rule, hit)
    firing.save()
    return firing


def _file(rule: PerformanceRule, hit: Hit) -> tuple[str, object, str]:
    tenant = rule.tenant
    action = proposing.proposal_for(rule, hit)
    reason = proposing.refusal(tenant, action)
    if reason is not None:
        return Outcome.REFUSED, None, str(reason)[:300]
    agent = AIAgent.objects.serving(tenant, AgentType.PAID_ADS)
    if agent is None:
        return Outcome.REFUSED, None, _("No Paid Ads agent serves this account to file the proposal.")
    try:
        approval = request_approval(
            tenant=tenant, agent=agent, action=action, currency=hit.campaign.currency, rule=rule.name
        )
    except AlreadyWaiting as waiting:
        return Outcome.ALREADY_WAITING, waiting.approval.pk, waiting.approval.reference
    return Outcome.FILED, approval.pk, approval.reference
