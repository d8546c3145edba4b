from decimal import Decimal

import pytest

from agents.models import AIAgent
from hitl.services import request_approval
from tests.factories import WEBHOOK_SECRET, CampaignFactory, HITLWorkflowFactory, budget_action


@pytest.fixture
def campaign(tenant):
    return CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))


@pytest.fixture
def paid_ads():
    return AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")


@pytest.fixture
def other_campaign(tenant):
    """A second campaign: requests for it do not supersede those for `campaign` (hitl.services.conflicts)."""
    return CampaignFactory(tenant=tenant, name="Winter Sale", daily_budget=Decimal("300.00"))


@pytest.fixture
def ask(tenant, paid_ads, requester, campaign):
    """File a budget request as the pipeline would (for `campaign` unless another is given)."""

    def file(amount="700.00", *, by=None, cost="6000", reach=120_000, confidence=0.9, of=None):
        action = budget_action(
            of or campaign, amount, estimated_cost=Decimal(cost), estimated_reach=reach, confidence=confidence
        )
        return request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=by or requester)

    return file


@pytest.fixture
def workflow(tenant):
    def make(**fields):
        return HITLWorkflowFactory(**{"tenant": tenant, **fields})

    return make


@pytest.fixture
def hooked(tenant, httpserver, loopback_receivers):
    """The tenant's approved actions go to a signed webhook on a local fake server."""
    tenant.action_webhook_url = httpserver.url_for("/actions")
    tenant.action_webhook_secret = WEBHOOK_SECRET
    tenant.save()
    return httpserver
