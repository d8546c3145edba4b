from decimal import Decimal

import pytest

from agents.engines.base import EngineReply
from conversations.models import Conversation
from conversations.normalized import InboundMessage
from hitl.errors import DecisionError
from hitl.models import HITLApproval
from hitl.services.closing import cancel, escalate
from hitl.services.decisions import approve, reject
from tenants.privacy.audit import Origin
from tenants.roles import Role
from tests.factories import UserFactory, budget_action, spend_history
from tests.pipeline import exchange


def fresh(approval) -> HITLApproval:
    return HITLApproval.objects.get(pk=approval.pk)


def code_of(call) -> str:
    with pytest.raises(DecisionError) as err:
        call()
    return err.value.code


def test_approval_runs_the_action_once_and_records_everything(ask, approver, campaign, run_on_commit):
    approval = ask()
    with run_on_commit():
        approve(approval.pk, actor=approver, notes="Fine for the sale", origin=Origin(ip="203.0.113.9", via="admin"))
    approval = fresh(approval)
    assert approval.status == "executed" and approval.execution_status == "succeeded"
    assert (approval.approved_by, approval.approval_notes) == (approver, "Fine for the sale")
    assert approval.execution_result["before"]["daily_budget"] == "500.00"
    assert approval.execution_result["after"]["daily_budget"] == "700.00"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")
    events = list(approval.history.values_list("event_type", flat=True))
    assert events == ["created", "approved", "executed"]
    assert approval.history.get(event_type="approved").actor_ip == "203.0.113.9"
    assert approval.decisions.get().approver == approver


def test_a_rejected_action_never_runs_and_the_reason_is_kept(ask, approver, campaign, run_on_commit):
    approval = ask()
    with run_on_commit():
        reject(approval.pk, actor=approver, reason="Too much before Black Friday")
    approval = fresh(approval)
    assert approval.status == "rejected" and approval.rejection_reason == "Too much before Black Friday"
    assert approval.execution_status == "" and approval.executed_at is None
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_a_rejection_needs_a_reason(ask, approver):
    approval = ask()
    assert code_of(lambda: reject(approval.pk, actor=approver, reason="  ")) == "reason_required"
    assert fresh(approval).status == "pending"


def test_nobody_approves_their_own_request(ask, approver):
    approval = ask(by=approver)
    assert code_of(lambda: approve(approval.pk, actor=approver)) == "self_approval"
    assert not approval.decisions.exists()


def test_only_eligible_approvers_decide(ask, tenant, outsider):
    approval = ask()
    support = UserFactory(tenant=tenant, role=Role.SUPPORT)
    compliance = UserFactory(tenant=tenant, role=Role.COMPLIANCE)
    assert code_of(lambda: approve(approval.pk, actor=support)) == "not_found"  # support does not see approvals
    assert code_of(lambda: approve(approval.pk, actor=compliance)) == "forbidden"  # sees them, decides none
    assert code_of(lambda: approve(approval.pk, actor=outsider)) == "not_found"  # another tenant's approval


def test_one_approver_counts_once(ask, workflow, approver):
    workflow(approval_levels=[{"name": "Two", "approvers": {"roles": ["approver"]}, "required_approvals": 2}])
    approval = ask()
    approve(approval.pk, actor=approver)
    assert code_of(lambda: approve(approval.pk, actor=approver)) == "already_decided"
    approval = fresh(approval)
    assert (approval.status, approval.received_approvals, approval.required_approvals) == ("pending", 1, 2)


def test_levels_are_sequential_and_each_needs_its_count(
    ask, workflow, approver, second_approver, tenant_admin, run_on_commit
):
    workflow(
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 2},
            {"name": "Head of marketing", "approvers": {"users": [tenant_admin.email]}, "required_approvals": 1},
        ]
    )
    approval = ask()
    assert code_of(lambda: approve(approval.pk, actor=tenant_admin)) == "not_eligible"  # not level 1's approver
    approve(approval.pk, actor=approver)
    assert fresh(approval).approval_level == 1
    approve(approval.pk, actor=second_approver)
    approval = fresh(approval)
    assert (approval.status, approval.approval_level, approval.required_approvals) == ("pending", 2, 1)
    assert code_of(lambda: approve(approval.pk, actor=approver)) == "not_eligible"
    with run_on_commit():
        approve(approval.pk, actor=tenant_admin)
    assert fresh(approval).status == "executed"


def test_unanimous_means_every_eligible_approver(ask, workflow, approver, second_approver):
    workflow(unanimous_required=True)
    approval = ask()
    assert fresh(approval).required_approvals == 2
    approve(approval.pk, actor=approver)
    assert fresh(approval).status == "pending"


def test_one_rejection_stops_a_unanimous_level_at_once(ask, workflow, approver, second_approver, campaign):
    workflow(unanimous_required=True)
    approval = ask()
    approve(approval.pk, actor=approver)
    reject(approval.pk, actor=second_approver, reason="Not this week")
    assert fresh(approval).status == "rejected"
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_a_sequential_workflow_assigns_one_approver(ask, workflow, approver, second_approver):
    workflow(parallel_approval=False)
    assert fresh(ask()).assigned_to == approver  # the first eligible to join the tenant


@pytest.mark.parametrize("ending", ["reject", "cancel", "expire"])
def test_a_decision_after_the_end_changes_nothing(ask, approver, second_approver, requester, ending, campaign):
    approval = ask()
    if ending == "reject":
        reject(approval.pk, actor=second_approver, reason="No")
    elif ending == "cancel":
        cancel(approval.pk, actor=requester)
    else:
        HITLApproval.objects.filter(pk=approval.pk).update(status="expired")
    before = fresh(approval).status
    assert code_of(lambda: approve(approval.pk, actor=approver)) == "not_pending"
    assert fresh(approval).status == before
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")


def test_only_the_requester_or_an_admin_cancels(ask, approver, tenant_admin):
    approval = ask()
    assert code_of(lambda: cancel(approval.pk, actor=approver)) == "forbidden"
    cancel(approval.pk, actor=tenant_admin, reason="Duplicate")
    assert fresh(approval).status == "cancelled"


def test_approving_with_edits_records_them_and_applies_the_edited_action(ask, approver, campaign, run_on_commit):
    approval = ask("700.00")
    with run_on_commit():
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "600.00"}})
    approval = fresh(approval)
    assert approval.status == "executed" and approval.action_data["daily_budget"] == "600.00"
    assert approval.estimated_cost == Decimal("3000.00")  # (600 - 500) x 30 days
    edit = approval.history.get(event_type="edited")
    assert edit.changes == {
        "daily_budget": ["700.00", "600.00"],
        "estimated_cost": ["6000.00", "3000.00"],
        "summary": [
            "Raise Summer Sale daily budget to $700.00",
            "Raise Summer Sale daily budget from $500.00 to $600.00",
        ],
    }
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("600.00")


def test_an_edit_cannot_change_the_action_type(ask, approver, campaign):
    approval = ask()
    for edits in ({"action_type": "pause_campaign"}, {"action_data": {"action_type": "pause_campaign"}}):
        assert code_of(lambda e=edits: approve(approval.pk, actor=approver, edits=e)) == "action_type_locked"
    assert fresh(approval).status == "pending" and not approval.decisions.exists()


def test_an_invalid_edit_is_refused(ask, approver):
    approval = ask()
    assert code_of(lambda: approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "-1"}})) == (
        "invalid_edit"
    )
    assert fresh(approval).action_data["daily_budget"] == "700.00"


def test_an_edit_that_needs_a_higher_level_goes_there(ask, workflow, approver, tenant_admin, campaign):
    spend_history(campaign, days=30, spend="500.00")  # a $300 change is small for this tenant
    workflow(name="Routine", risk_levels=["low", "medium"])
    workflow(
        name="Risky",
        risk_levels=["high", "critical"],
        approval_levels=[{"name": "Admins", "approvers": {"roles": ["admin"]}, "required_approvals": 1}],
    )
    approval = ask("510.00", cost="300", reach=1000, confidence=0.95)
    approval = fresh(approval)
    assert approval.workflow.name == "Routine", approval.risk_level
    approve(
        approval.pk, actor=approver, edits={"action_data": {"daily_budget": "9000.00"}, "estimated_reach": 2_000_000}
    )
    approval = fresh(approval)
    assert approval.status == "pending"  # the approver's OK does not carry the riskier action through
    assert approval.workflow.name == "Risky" and approval.risk_level in {"high", "critical"}
    assert approval.history.filter(event_type="rerouted").exists()
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("500.00")
    approve(approval.pk, actor=tenant_admin)
    assert fresh(approval).status == "approved"


def test_manual_escalation_moves_to_the_next_level_then_to_an_admin(ask, workflow, approver, tenant_admin):
    workflow(
        approval_levels=[
            {"name": "Approvers", "approvers": {"roles": ["approver"]}, "required_approvals": 1},
            {"name": "Leads", "approvers": {"users": [approver.email]}, "required_approvals": 1},
        ]
    )
    approval = ask()
    escalate(approval.pk, actor=approver, reason="Needs a lead")
    assert fresh(approval).approval_level == 2
    escalate(approval.pk, actor=approver, reason="Still unsure")
    approval = fresh(approval)
    assert approval.escalated_to == tenant_admin and approval.assigned_to == tenant_admin
    approve(approval.pk, actor=tenant_admin)
    assert fresh(approval).status == "approved"


def test_the_requester_hears_a_rejection_with_its_reason_on_their_conversation(
    engine, colleague, tenant, approver, campaign, run_on_commit
):
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    result = exchange(InboundMessage(channel="chat", text="Raise Summer Sale", user_id=colleague.pk))
    assert result.conversation.status == "waiting_approval"
    reject(result.actions[0].approval_id, actor=approver, reason="Budget freeze")
    last = result.conversation.messages.order_by("-created_at").first()
    assert last.text == "Rejected: Raise Summer Sale daily budget to $700.00. Reason: Budget freeze"
    assert last.sender_type == "system" and last.metadata["status"] == "rejected"
    assert last.status == "delivered"  # a chat reads it from the store: not "pending" forever
    assert Conversation.objects.get(pk=result.conversation.pk).status == "open"


def test_the_requester_hears_when_it_is_done(engine, colleague, approver, campaign, run_on_commit):
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    result = exchange(InboundMessage(channel="chat", text="Raise Summer Sale", user_id=colleague.pk))
    with run_on_commit():
        approve(result.actions[0].approval_id, actor=approver)
    last = result.conversation.messages.order_by("-created_at").first()
    assert last.text == "Approved and done: Summer Sale daily budget $500.00 -> $700.00"


def test_a_rejection_reaches_the_agent_as_a_decision_with_its_reason(engine, colleague, approver, campaign):
    engine.reply = EngineReply(text="Sure.", actions=[budget_action(campaign)])
    first = exchange(InboundMessage(channel="chat", text="Raise Summer Sale", user_id=colleague.pk))
    reject(first.actions[0].approval_id, actor=approver, reason="Budget freeze until December")
    engine.reply = EngineReply(text="Understood.")
    exchange(InboundMessage(channel="chat", text="ok, what now?", user_id=colleague.pk))
    history = [(h.role, h.text) for h in engine.requests[-1].history]
    assert (
        "assistant",
        "Rejected: Raise Summer Sale daily budget to $700.00. Reason: Budget freeze until December",
    ) in (history)
    stored = first.conversation.messages.get(sender_type="system")
    assert stored.metadata["status"] == "rejected" and stored.status != "failed"  # a decision, not an error to retry
