"""The proposal a rule makes for a campaign it fired for: the same action data, checks (the action spec's and the
guardrails adplatforms registers) and completion as an agent's proposal passes through the tool gateway."""

from decimal import Decimal

from adplatforms import money
from adplatforms.rules import describe
from adplatforms.rules.evaluation import Hit
from adplatforms.rules.models import PerformanceRule, RuleAction
from agents import action_specs
from agents.actions import ProposedAction

ACTION_TYPES = {
    RuleAction.PAUSE: "pause_campaign",
    RuleAction.RESUME: "resume_campaign",
    RuleAction.SET_BUDGET: "set_budget",
    RuleAction.CHANGE_BUDGET: "set_budget",
}


def new_budget(rule: PerformanceRule, old: Decimal, currency: str) -> Decimal:
    """The daily budget the rule proposes: its value, or the budget now moved by its percentage, rounded to what
    the campaign's currency holds (whole yen)."""
    if rule.action == RuleAction.SET_BUDGET:
        return money.rounded(rule.action_value, currency)
    return money.rounded(old * (1 + rule.action_value / 100), currency)


def proposal_for(rule: PerformanceRule, hit: Hit) -> ProposedAction:
    campaign = hit.campaign
    action_type = ACTION_TYPES[rule.action]
    data = {"campaign_id": str(campaign.pk), "campaign_name": campaign.name}
    if action_type == "set_budget":
        data["daily_budget"] = str(new_budget(rule, campaign.daily_budget, campaign.currency))
        data["previous_daily_budget"] = str(campaign.daily_budget)
        data["currency"] = campaign.currency.upper()  # as the spec completes it; the summary below reads it
    spec = action_specs.spec_for(action_type)
    return ProposedAction(
        action_type=action_type,
        action_data=data,
        summary=describe.proposal_summary(rule, str(spec.describe(data)), hit),
        estimated_cost=spec.cost(data) or Decimal("0"),
        confidence=1.0,  # the rule's condition held on the synced figures: no reading of anyone's words
    )


def refusal(tenant, action: ProposedAction) -> str | None:
    """Why the proposal may not wait for approval (the campaign changed, a guardrail), or None; on None its data
    is completed with what the campaign adds (its currency)."""
    spec = action_specs.spec_for(action.action_type)
    reason = action_specs.shape_problem(spec, action.action_data) or action_specs.check(
        spec, tenant, action.action_data
    )
    if reason is None:
        action.action_data = action_specs.completed(spec, tenant, action.action_data)
    return reason
