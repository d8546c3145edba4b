"""Every answer, proposal and risk score reads the business figures as the database holds them now (issue 30).

Budgets and statuses change through approvals in whichever process executes them, and through bulk writes that
no model signal sees (a data import, `queryset.update()`): nothing that answers keeps a copy of them.
"""

from decimal import Decimal

import pytest

from agents.action_specs.campaigns import extra_spend
from agents.models import AIAgent, Campaign
from conversations.normalized import InboundMessage
from hitl.models import HITLApproval, RiskPolicy
from hitl.risk import assess
from tests.factories import CampaignFactory
from tests.pipeline import exchange
from tests.workers import wait_for

pytestmark = pytest.mark.django_db

REPORT = "How is my Summer Sale campaign doing?"
RAISE = "Raise the Summer Sale budget to $2,000 a day"


def say(user, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=user.pk), user=user)


def test_a_bulk_budget_change_is_seen_by_the_next_proposal_and_its_risk_score(tenant, colleague):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    RiskPolicy.objects.create(tenant=tenant)
    assert "$500.00" in say(colleague, REPORT).reply.text  # everything an answer reads has been read once
    Campaign.objects.filter(pk=campaign.pk).update(daily_budget=Decimal("650.00"))  # no signal sees it
    RiskPolicy.objects.filter(tenant=tenant).update(action_base_risk={"set_budget": 0}, large_cost=Decimal("1"))

    exchanged = say(colleague, RAISE)

    approval = HITLApproval.objects.get()
    assert approval.action_data["previous_daily_budget"] == "650.00"
    assert "from $650.00" in approval.action_summary
    assert approval.estimated_cost == extra_spend(Decimal("1350.00"))
    fresh = assess(
        tenant=tenant,
        action_type="set_budget",
        estimated_cost=approval.estimated_cost,
        estimated_reach=approval.estimated_reach,
        confidence=approval.confidence,
        requested_by=colleague,
    )
    figures = ("budget_relative", "budget_absolute", "action_type")  # the requester's history now counts this one
    assert [f for f in approval.risk_factors if f["factor"] in figures] == [
        f for f in fresh.factors if f["factor"] in figures
    ]
    assert next(f for f in approval.risk_factors if f["factor"] == "action_type")["points"] == 0  # the new policy
    assert exchanged.actions


def test_a_bulk_change_of_the_serving_agent_is_seen_by_the_next_answer(tenant, colleague):
    CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    own = AIAgent.objects.create(tenant=tenant, name="Our Paid Ads", agent_type="paid_ads")
    assert say(colleague, REPORT).conversation.agent_id == own.pk  # the tenant's own agent serves it
    AIAgent.objects.filter(pk=own.pk).update(is_active=False)  # no signal sees it
    system = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    assert say(colleague, "Pause the Summer Sale campaign").conversation.agent_id == system.pk


@pytest.mark.parametrize("shape", ["embedded default", "redis"])
@pytest.mark.slow
@pytest.mark.processes
def test_a_worker_proposes_from_the_budget_another_process_changed(broker, start_worker, tenant, colleague, shape):
    """The web process changes the budget (an approval's execution, then a bulk import) while a real worker, which
    has already answered about the campaign, answers: its next report and proposal quote the new budget."""
    environment = {"REDIS_URL": ""} if shape == "embedded default" else {}  # in-process caches, as `make run`
    start_worker(pool="solo", concurrency=1, **environment)
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))

    def answer_to(text):
        from conversations.models import Message
        from conversations.pipeline import accept

        asked = accept(InboundMessage(channel="chat", text=text, user_id=colleague.pk), user=colleague).message

        def answered():
            return Message.objects.filter(direction="outbound", in_reply_to=asked).first()

        wait_for(answered, f"the worker's answer to {text!r}", timeout=90)
        return answered()

    assert "$500.00" in answer_to(REPORT).text
    campaign.daily_budget = Decimal("650.00")
    campaign.save(update_fields=["daily_budget"])  # as the ledger executor saves an approved change
    answer_to(RAISE)
    approval = HITLApproval.objects.get()
    assert approval.action_data["previous_daily_budget"] == "650.00"
    assert "from $650.00" in approval.action_summary
    assert approval.estimated_cost == extra_spend(Decimal("1350.00"))

    Campaign.objects.filter(pk=campaign.pk).update(daily_budget=Decimal("800.00"))  # a data import
    assert "$800.00" in answer_to(REPORT).text
