"""A workflow's cost thresholds are in dollars (the form says "Estimated cost ($)"): a request in another currency
is compared after conversion with RISK_DOLLAR_RATES, as the risk score converts it, and a currency without a rate
is taken as large, so it never slips into a workflow meant for small amounts (issue 46, point 6)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from hitl.rules import choose_workflow
from hitl.services.requests import request_approval
from tests.factories import budget_action


@pytest.fixture
def bounded(workflow):
    small = workflow(name="Small", max_cost_threshold=Decimal("1000"))
    large = workflow(name="Large", min_cost_threshold=Decimal("10000"))
    return small, large


def chosen(tenant, cost, currency):
    return choose_workflow(tenant, action_type="set_budget", risk_level="medium", cost=Decimal(cost), currency=currency)


def test_yen_are_compared_in_dollars(tenant, bounded, settings):
    settings.RISK_DOLLAR_RATES = {"USD": Decimal("1"), "JPY": Decimal("0.0065")}
    assert chosen(tenant, "90000", "JPY").workflow.name == "Small"  # about $585, not "$90,000"
    assert chosen(tenant, "2000000", "JPY").workflow.name == "Large"  # about $13,000
    assert chosen(tenant, "900", "USD").workflow.name == "Small"


def test_a_currency_without_a_rate_is_taken_as_large(tenant, bounded, settings):
    settings.RISK_DOLLAR_RATES = {"USD": Decimal("1")}
    assert chosen(tenant, "5", "XAF").workflow.name == "Large"


def test_a_yen_request_is_routed_by_its_dollar_value(tenant, workflow, campaign, paid_ads, requester, settings):
    settings.RISK_DOLLAR_RATES = {"USD": Decimal("1"), "JPY": Decimal("0.0065")}
    workflow(name="Small", max_cost_threshold=Decimal("1000"))
    workflow(name="Large", min_cost_threshold=Decimal("10000"))
    action = budget_action(campaign, "90000", estimated_cost=Decimal("90000"))
    action = replace(action, action_data={**action.action_data, "currency": "JPY"})
    filed = request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)
    assert filed.currency == "JPY" and filed.workflow.name == "Small"
