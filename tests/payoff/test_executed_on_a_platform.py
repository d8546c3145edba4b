"""From the approval through the executor to the payoff: the executor's own record (in the platform's units) is what
"held" compares the later changes with."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from adplatforms.executor import units_of
from adplatforms.models import PlatformChange
from adplatforms.outside.models import OutsideChange
from agents.models import AIAgent
from hitl.models import HITLApproval
from hitl.payoff import measure, measure_one
from hitl.payoff.measure import Hold
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from hitl.services.requests import request_approval
from tests.adplatforms.linked import connect, synced_campaign
from tests.factories import budget_action


@pytest.fixture
def summer(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch, currency="JPY")
    campaign = synced_campaign(connection, memory, "Summer Sale", "5000", "111", synced_at=timezone.now())
    return connection, campaign


def executed(tenant, requester, approver, campaign, amount: str) -> HITLApproval:
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    action = budget_action(campaign, amount)
    approval = request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)
    approve(approval.pk, actor=approver)
    assert run_execution(approval.pk, max_attempts=5) == "executed"
    campaign.refresh_from_db()
    return HITLApproval.objects.get(pk=approval.pk)


def test_reverted_outside_walker_compared_in_the_platforms_units(tenant, requester, approver, summer):
    connection, campaign = summer
    change = executed(tenant, requester, approver, campaign, "6000")
    assert PlatformChange.objects.get(approval_id=change.pk).before_units == units_of("google", Decimal(5000), "JPY")
    OutsideChange.objects.create(
        tenant=tenant, connection=connection, campaign=campaign, event="e1", kind="daily_budget",
        at=timezone.now() + timedelta(hours=2), before="6000", after="5000", currency="JPY",
        before_units=units_of("google", Decimal(6000), "JPY"), after_units=units_of("google", Decimal(5000), "JPY"),
        actor="pat@acme.test", tool="Google Ads web interface", detected_at=timezone.now(),
    )  # fmt: skip
    payoff = measure_one(change, now=timezone.now() + timedelta(days=8))
    assert payoff.hold == Hold.REVERTED and payoff.change.tool == "Google Ads web interface"
    assert (payoff.currency, payoff.platform) == ("JPY", "google")


def test_changed_again_by_walker_then_held(tenant, requester, approver, summer):
    _connection, campaign = summer
    first = executed(tenant, requester, approver, campaign, "6000")
    second = executed(tenant, requester, approver, campaign, "7000")
    found = measure(tenant, [first, second], now=timezone.now() + timedelta(days=8))
    assert found[first.pk].hold == Hold.CHANGED_AGAIN
    assert found[first.pk].change.approval_reference == second.reference
    assert found[second.pk].hold == Hold.HELD
