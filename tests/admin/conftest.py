from decimal import Decimal

import pytest

from agents.models import AIAgent
from hitl.services.requests import request_approval
from tests.factories import (
    CampaignFactory,
    ConversationFactory,
    HITLWorkflowFactory,
    MessageFactory,
    budget_action,
)


@pytest.fixture
def chat_with_pii(tenant, colleague):
    conversation = ConversationFactory(user=colleague, channel="whatsapp")
    MessageFactory(
        conversation=conversation,
        text="Call me on +1 415 555 0142 or write to priya.shah@acme.test about order 2026-11-21",
    )
    return conversation


@pytest.fixture
def ask_as(tenant):
    """File a budget request by `user`, as the pipeline would, for the campaign named `of`. A newer request for a
    campaign supersedes the one waiting for it (hitl.services.conflicts): requests meant to wait together name
    different campaigns."""
    campaigns = {}
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")

    def file(user, amount="700.00", *, of="Summer Sale"):
        if of not in campaigns:
            campaigns[of] = CampaignFactory(tenant=tenant, name=of, daily_budget=Decimal("500.00"))
        action = budget_action(campaigns[of], amount)
        return request_approval(tenant=tenant, agent=agent, action=action, requested_by=user)

    return file


@pytest.fixture
def workflow_for_user(tenant):
    """A workflow whose only level is one named person."""

    def make(user):
        return HITLWorkflowFactory(
            tenant=tenant,
            name=f"Only {user.email}",
            approval_levels=[{"name": "One person", "approvers": {"users": [user.email]}, "required_approvals": 1}],
        )

    return make
