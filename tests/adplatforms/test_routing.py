"""Which executor runs an approved action: a budget, pause or resume of a campaign linked to an ad platform runs on
that platform; everything else keeps the tenant's webhook or Walker's own ledger."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adplatforms.executor import PlatformExecutor
from agents.executors import ExecutionRequest, LedgerExecutor, WebhookExecutor, get_executor
from tests.adplatforms.linked import connect, link
from tests.factories import CampaignFactory


def request_for(tenant, action_type, campaign_id):
    return ExecutionRequest(
        tenant=tenant,
        approval_id="3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d",
        reference="BR-123456",
        action_type=action_type,
        action_data={"campaign_id": str(campaign_id), "daily_budget": "600.00", "previous_daily_budget": "500.00"},
        approved_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
    )


@pytest.fixture
def linked(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch, platform="meta")
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    link(connection, memory, campaign)
    return campaign


@pytest.mark.parametrize("action_type", ["set_budget", "pause_campaign", "resume_campaign"])
def test_campaign_actions_on_a_linked_campaign_run_on_its_platform(tenant, linked, action_type):
    executor = get_executor(request_for(tenant, action_type, linked.pk))
    assert isinstance(executor, PlatformExecutor)
    assert executor.destination == "Meta Ads"


def test_the_platform_is_chosen_before_the_tenants_webhook(tenant, linked):
    tenant.action_webhook_url = "https://hooks.acme.test/walker"
    tenant.save()
    assert isinstance(get_executor(request_for(tenant, "set_budget", linked.pk)), PlatformExecutor)
    assert isinstance(get_executor(request_for(tenant, "create_audience", linked.pk)), WebhookExecutor)


def test_a_campaign_kept_in_walker_and_other_actions_keep_the_ledger(tenant, linked):
    kept = CampaignFactory(tenant=tenant, name="Kept")
    assert isinstance(get_executor(request_for(tenant, "set_budget", kept.pk)), LedgerExecutor)
    assert isinstance(get_executor(request_for(tenant, "create_audience", linked.pk)), LedgerExecutor)


@pytest.mark.parametrize("campaign_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000", ""])
def test_an_unknown_campaign_is_left_to_the_ledger_which_refuses_it(tenant, linked, campaign_id):
    assert isinstance(get_executor(request_for(tenant, "set_budget", campaign_id)), LedgerExecutor)


def test_another_tenants_linked_campaign_is_never_routed_to_its_platform(tenant, other_tenant, monkeypatch):
    connection, memory = connect(other_tenant, monkeypatch)
    theirs = CampaignFactory(tenant=other_tenant, name="Their Sale")
    link(connection, memory, theirs)
    assert isinstance(get_executor(request_for(tenant, "set_budget", theirs.pk)), LedgerExecutor)
    assert isinstance(get_executor(request_for(other_tenant, "set_budget", theirs.pk)), PlatformExecutor)


def test_each_remote_executor_says_where_it_sends(tenant, linked):
    assert str(WebhookExecutor().destination) == "the tenant's webhook"
    assert PlatformExecutor(linked.platform_link.connection).destination == "Meta Ads"
