"""Standing approvals (issue 51, point 3): an approver lets the same change on the same target go ahead again within
bounds, for a time, a number of times; later requests inside them are approved under it and say so; outside them,
past them, above the step-up level or wider than the giver's own right, a person decides as before."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from agents.actions import ProposedAction
from analytics.models import PeriodType
from core.when import moment
from hitl.errors import DecisionError
from hitl.models import ApprovalStatus, HITLDecision, HITLWorkflow, StandingApproval
from hitl.services import standing
from hitl.services.decisions import approve
from hitl.services.requests import request_approval
from reports.approval_stats import recompute_period
from reports.periods import zone_of
from tenants.roles import Role
from tests.factories import CampaignFactory, HITLWorkflowFactory, budget_action
from tests.step_up.conftest import place_level

pytestmark = pytest.mark.django_db

BUDGET = standing.Bounds(hours=24, max_uses=3, max_change_percent=Decimal("20"))


@pytest.fixture
def given(ask, workflow, approver):
    """Priya's standing approval, given on her approval of Summer Sale's budget ($500 → $550): later budgets between
    $400 and $600, for 24 hours, three times."""
    workflow()
    first = ask("550.00")
    approve(first.pk, actor=approver)
    return standing.give(first.pk, actor=approver, bounds=BUDGET)


def history(approval) -> list[str]:
    return list(approval.history.order_by("timestamp").values_list("description", flat=True))


def test_a_later_budget_inside_the_bounds_is_approved_under_it_and_says_so(given, ask, approver):
    later = ask("580.00")
    assert later.status == ApprovalStatus.APPROVED and later.approved_under == given
    assert later.approved_by == approver and later.decided_automatically
    decision = later.decisions.get()
    assert (decision.approver, decision.via) == (approver, HITLDecision.Via.STANDING)
    said = history(later)[-1]
    assert said == f"Approved under {approver}'s standing approval (given {moment(given.granted_at)})"
    given.refresh_from_db()
    assert given.uses == 1
    given_words = f"{approver} let the same change go ahead again: a daily budget between $400.00 and $600.00, until "
    assert any(line.startswith(given_words) for line in history(given.given_on))


@pytest.mark.parametrize("amount", ["601.00", "399.99"])
def test_a_budget_outside_the_bounds_waits_for_a_person(given, ask, amount):
    later = ask(amount)
    assert later.status == ApprovalStatus.PENDING and later.approved_under is None


def test_it_is_used_at_most_its_times(given, ask, campaign, other_campaign):
    # Each request for the same target supersedes the waiting one, never an approved one: three go through.
    approved = [ask(amount) for amount in ("560.00", "570.00", "590.00")]
    assert all(a.status == ApprovalStatus.APPROVED for a in approved)
    fourth = ask("595.00")
    assert fourth.status == ApprovalStatus.PENDING
    given.refresh_from_db()
    assert given.uses == given.max_uses == 3


def test_another_target_or_kind_is_not_covered(given, ask, other_campaign, tenant, paid_ads, requester, campaign):
    assert ask("320.00", of=other_campaign).status == ApprovalStatus.PENDING
    pause = ProposedAction(
        action_type="pause_campaign",
        action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
        summary="Pause Summer Sale",
    )
    paused = request_approval(tenant=tenant, agent=paid_ads, action=pause, requested_by=requester)
    assert paused.status == ApprovalStatus.PENDING


def test_it_ends_at_its_time_even_between_two_requests(given, ask):
    assert ask("560.00").status == ApprovalStatus.APPROVED
    with time_machine.travel(given.expires_at + timedelta(seconds=1)):
        assert ask("570.00").status == ApprovalStatus.PENDING


def test_a_revoked_grant_approves_nothing_more_and_the_revocation_is_recorded(given, ask, approver):
    standing.revoke(given.pk, actor=approver)
    assert ask("560.00").status == ApprovalStatus.PENDING
    assert history(given.given_on)[-1] == f"{approver} revoked the standing approval given here."


def test_never_at_or_above_the_step_up_level(given, ask, tenant):
    place_level(tenant, "low")  # every request now needs a second factor
    assert ask("560.00").status == ApprovalStatus.PENDING


def test_never_wider_than_the_givers_right_today(given, ask, approver):
    approver.role = Role.MEMBER
    approver.save()
    assert ask("560.00").status == ApprovalStatus.PENDING


def test_never_on_the_givers_own_request(given, ask, approver):
    assert ask("560.00", by=approver).status == ApprovalStatus.PENDING


def test_never_for_a_request_that_needs_more_than_one_approval(given, ask, tenant, second_approver):
    HITLWorkflow.objects.filter(tenant=tenant).delete()
    HITLWorkflowFactory(
        tenant=tenant,
        approval_levels=[{"name": "Two", "approvers": {"roles": ["approver"]}, "required_approvals": 2}],
    )
    assert ask("560.00").status == ApprovalStatus.PENDING


def test_only_a_person_who_approved_may_give_one(ask, workflow, approver, second_approver):
    workflow()
    first = ask("550.00")
    with pytest.raises(DecisionError) as refused:
        standing.give(first.pk, actor=approver, bounds=BUDGET)  # still waiting
    assert refused.value.code == "not_yours"
    approve(first.pk, actor=approver)
    with pytest.raises(DecisionError) as refused:
        standing.give(first.pk, actor=second_approver, bounds=BUDGET)
    assert refused.value.code == "not_yours"


@pytest.mark.parametrize(
    ("bounds", "code"),
    [
        (standing.Bounds(hours=0, max_uses=3, max_change_percent=Decimal("20")), "bad_hours"),
        (standing.Bounds(hours=24 * 8, max_uses=3, max_change_percent=Decimal("20")), "bad_hours"),
        (standing.Bounds(hours=24, max_uses=0, max_change_percent=Decimal("20")), "bad_uses"),
        (standing.Bounds(hours=24, max_uses=21, max_change_percent=Decimal("20")), "bad_uses"),
        (standing.Bounds(hours=24, max_uses=3), "bad_percent"),
        (standing.Bounds(hours=24, max_uses=3, max_change_percent=Decimal("150")), "bad_percent"),
    ],
)
def test_bounds_out_of_range_are_refused(ask, workflow, approver, bounds, code):
    workflow()
    first = ask("550.00")
    approve(first.pk, actor=approver)
    with pytest.raises(DecisionError) as refused:
        standing.give(first.pk, actor=approver, bounds=bounds)
    assert refused.value.code == code
    assert not StandingApproval.objects.exists()


def test_another_tenants_person_can_neither_give_nor_revoke(given, outsider, ask):
    with pytest.raises(DecisionError):
        standing.revoke(given.pk, actor=outsider)
    with pytest.raises(DecisionError):
        standing.give(given.given_on_id, actor=outsider, bounds=BUDGET)


def test_yen_bounds_are_whole_yen(tenant, workflow, approver, paid_ads, requester):
    workflow()
    tokyo = CampaignFactory(tenant=tenant, name="Tokyo", daily_budget=Decimal("50000"), currency="JPY")
    action = budget_action(tokyo, "55000")
    action.action_data["currency"] = "JPY"
    first = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)
    approve(first.pk, actor=approver)
    grant = standing.give(first.pk, actor=approver, bounds=BUDGET)
    assert "between ¥40,000 and ¥60,000" in standing.describe(grant)
    with translation.override("es"):
        assert "entre 40\xa0000 ¥ y 60\xa0000 ¥" in standing.describe(grant)


def test_the_history_is_in_the_readers_words_in_spanish(given, ask, approver):
    with translation.override("es"):
        said = standing.approved_under(given)
        assert said == f"Aprobada con la aprobación permanente de {approver} (concedida el {moment(given.granted_at)})"


def test_a_second_one_on_the_same_approval_is_refused_while_the_first_still_approves(given, approver):
    with pytest.raises(DecisionError) as refused:
        standing.give(given.given_on_id, actor=approver, bounds=BUDGET)
    assert refused.value.code == "already_given"
    standing.revoke(given.pk, actor=approver)
    assert standing.give(given.given_on_id, actor=approver, bounds=BUDGET).pk != given.pk


def test_counted_in_the_approval_analytics_and_not_as_a_persons_decision(given, ask, approver, tenant):
    ask("580.00")
    day = recompute_period(tenant, PeriodType.DAY, timezone.localdate(timezone=zone_of(tenant)))
    assert day.action_type_breakdown["set_budget"]["approved_under_standing"] == 1
    assert [(a["approver_id"], a["decisions"]) for a in day.top_approvers] == [(str(approver.pk), 1)]  # the first


def test_a_tenant_without_one_in_force_spends_no_query_on_them(ask, workflow, approver, django_assert_num_queries):
    workflow()
    waiting = ask("560.00")
    with django_assert_num_queries(0):
        assert standing.use(waiting) is None
    first = ask("550.00")  # supersedes the one above
    approve(first.pk, actor=approver)
    grant = standing.give(first.pk, actor=approver, bounds=BUDGET)
    first.tenant.refresh_from_db()
    assert first.tenant.standing_approvals_until == grant.expires_at
    with time_machine.travel(grant.expires_at + timedelta(seconds=1)):
        later = ask("570.00")
        with django_assert_num_queries(0):
            assert standing.use(later) is None
