"""What every answer reads is cached per tenant, and a save or delete drops the copy at once."""

from decimal import Decimal

from agents.cache import agent_for, campaigns_for
from agents.models import AIAgent
from hitl.models import RiskPolicy
from hitl.risk import policy_for
from tests.factories import CampaignFactory


def test_campaigns_are_read_once_and_forgotten_when_one_changes(tenant, other_tenant, django_assert_num_queries):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    CampaignFactory(tenant=other_tenant, name="Theirs")
    assert [c.name for c in campaigns_for(tenant)] == ["Summer Sale"]
    with django_assert_num_queries(0):
        assert campaigns_for(tenant)[0].daily_budget == Decimal("500.00")
    campaign.daily_budget = Decimal("700.00")
    campaign.save(update_fields=["daily_budget"])  # as the ledger executor saves it
    assert campaigns_for(tenant)[0].daily_budget == Decimal("700.00")
    campaign.delete()
    assert campaigns_for(tenant) == []


def test_a_tenants_own_agent_replaces_the_system_one_at_once(tenant, django_assert_num_queries):
    system = agent_for(tenant, "seo")
    assert system.is_system_agent
    with django_assert_num_queries(0):  # every agent of the tenant came with the first read
        agent_for(tenant, "content")
        agent_for(tenant, "seo")
    own = AIAgent.objects.create(tenant=tenant, name="Our SEO", agent_type="seo")
    assert agent_for(tenant, "seo") == own
    own.is_active = False
    own.save()
    assert agent_for(tenant, "seo") == system
    AIAgent.objects.filter(pk=system.pk).update(is_active=False)  # bypasses signals: the copy stays...
    assert agent_for(tenant, "seo") == system
    system.is_active = False
    system.save()  # ...until a save: a system agent's change drops every tenant's copy
    assert agent_for(tenant, "seo") is None


def test_the_risk_policy_is_forgotten_when_saved(tenant, django_assert_num_queries):
    before = policy_for(tenant).large_cost
    with django_assert_num_queries(0):
        policy_for(tenant)
    RiskPolicy.objects.create(tenant=tenant, large_cost=before + Decimal("123"))
    assert policy_for(tenant).large_cost == before + Decimal("123")
