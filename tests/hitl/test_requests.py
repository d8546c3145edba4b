from decimal import Decimal

import pytest

from hitl.models import HITLApprovalHistory
from hitl.rules import SYSTEM_DEFAULT_WORKFLOW


def test_a_request_is_scored_matched_and_timed(ask, approver):
    approval = ask()
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert approval.risk_level in {"low", "medium", "high", "critical"}
    assert approval.risk_factors and round(sum(f["points"] for f in approval.risk_factors), 1) == approval.risk_score
    assert approval.workflow is None and approval.workflow_snapshot["name"] == SYSTEM_DEFAULT_WORKFLOW["name"]
    assert (approval.approval_level, approval.total_levels, approval.required_approvals) == (1, 1, 1)
    hours = lambda moment: round((moment - approval.requested_at).total_seconds() / 3600)  # noqa: E731
    assert hours(approval.sla_deadline) == 24 and hours(approval.escalation_due_at) == 12
    assert hours(approval.next_reminder_at) == 4 and hours(approval.expires_at) == 72
    assert approval.reference.startswith("BR-") and len(approval.reference) == 9
    assert HITLApprovalHistory.objects.filter(approval=approval, event_type="created").count() == 1


def test_the_most_specific_workflow_wins(ask, workflow):
    workflow(name="Any budget", action_types=["set_budget"])
    specific = workflow(name="Big budget", action_types=["set_budget"], min_cost_threshold=Decimal("1000"))
    workflow(name="Other actions", action_types=["publish_content"])
    assert ask(cost="6000").workflow == specific


def test_cost_range_and_risk_level_filter_workflows(ask, workflow):
    cheap = workflow(name="Cheap", max_cost_threshold=Decimal("100"))
    assert ask(cost="50").workflow == cheap
    assert ask("710.00", cost="5000").workflow is None  # no match: built-in default
    critical_only = workflow(name="Critical only", risk_levels=["critical"])
    assert ask("720.00", cost="5000").workflow != critical_only


def test_the_tenant_default_applies_when_nothing_specific_matches(ask, workflow):
    default = workflow(name="Default", is_default=True)
    workflow(name="Content", action_types=["publish_content"])
    assert ask().workflow == default


def test_an_inactive_workflow_is_ignored(ask, workflow):
    workflow(name="Off", is_active=False)
    assert ask().workflow is None


def test_an_unreadable_workflow_fails_closed_to_human_review(ask, workflow):
    workflow(
        name="Broken",
        approval_levels=[],  # no level: rows cannot be unreadable, but a workflow can be left without any
        auto_approve_conditions=[{"field": "risk_level", "op": "in", "value": ["low", "medium", "high", "critical"]}],
    )
    approval = ask()
    approval.refresh_from_db()
    assert approval.status == "pending"  # never approved because a rule could not be read
    assert approval.workflow is None
    assert any("Broken" in flag and "unreadable" in flag for flag in approval.compliance_flags)


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "mood", "op": "eq", "value": "good"},
        {"field": "estimated_cost", "op": "lt", "value": "cheap"},
        {"field": "risk_level", "op": "gt", "value": "low"},
        {"field": "risk_level", "op": "in", "value": "low"},
        "risk is low",
    ],
)
def test_an_unreadable_condition_never_decides(ask, workflow, condition):
    workflow(name="Sloppy", auto_approve_conditions=[condition])
    approval = ask(cost="10")
    approval.refresh_from_db()
    assert approval.status == "pending" and not approval.decided_automatically
    assert any("Sloppy" in flag and "unreadable" in flag for flag in approval.compliance_flags)


def test_auto_approve_conditions_approve_and_run_it_recorded_as_automatic(
    ask, workflow, campaign, django_capture_on_commit_callbacks
):
    workflow(
        auto_approve_conditions=[
            {"field": "risk_level", "op": "in", "value": ["low", "medium"]},
            {"field": "estimated_cost", "op": "lt", "value": 100},
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask(amount="502.00", cost="60", reach=500, confidence=0.95)
    approval.refresh_from_db()
    assert approval.decided_automatically and approval.status == "executed"
    assert approval.decisions.get().via == "auto"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("502.00")


def test_a_critical_action_is_never_approved_automatically(ask, workflow, campaign):
    workflow(auto_approve_conditions=[{"field": "estimated_cost", "op": "gte", "value": 0}])
    approval = ask(amount="50000.00", cost="1500000", reach=5_000_000, confidence=0.1)
    approval.refresh_from_db()
    assert approval.risk_level == "critical"
    assert approval.status == "pending" and not approval.decided_automatically
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_auto_reject_conditions_reject_with_a_reason(ask, workflow, campaign):
    workflow(auto_reject_conditions=[{"field": "estimated_cost", "op": "gt", "value": 1000}])
    approval = ask(cost="6000")
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.decided_automatically
    assert "automatic rejection rule" in approval.rejection_reason
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_auto_reject_wins_over_auto_approve(ask, workflow):
    workflow(
        auto_approve_conditions=[{"field": "estimated_cost", "op": "gte", "value": 0}],
        auto_reject_conditions=[{"field": "action_type", "op": "eq", "value": "set_budget"}],
    )
    approval = ask(cost="10")
    approval.refresh_from_db()
    assert approval.status == "rejected"
