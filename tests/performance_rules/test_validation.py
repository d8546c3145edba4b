"""A rule as written is refused field by field with a reason: another tenant's or an unknown campaign, thresholds
out of range, amounts the currency cannot hold (JPY has no minor unit), a budget change beyond the guardrails."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from adplatforms.models import AdGuardrails
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import make_rule

pytestmark = pytest.mark.django_db


def errors_of(tenant, **fields) -> dict:
    with pytest.raises(ValidationError) as refused:
        make_rule(tenant, **fields)
    return refused.value.message_dict


def test_another_tenants_campaign_reads_as_unknown(tenant, other_tenant):
    theirs = CampaignFactory(tenant=other_tenant)
    assert errors_of(tenant, scope="campaign", campaign=theirs) == {
        "campaign": ["Choose one of this account's campaigns."]
    }


def test_one_campaign_takes_its_currency_and_refuses_another(tenant):
    tokyo = CampaignFactory(tenant=tenant, currency="JPY")
    assert make_rule(tenant, scope="campaign", campaign=tokyo, currency="", threshold=Decimal("5000")).currency == "JPY"
    assert errors_of(tenant, name="b", scope="campaign", campaign=tokyo, currency="USD")["currency"] == [
        f"{tokyo.name} is counted in JPY, not USD."
    ]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"metric": "ctr", "threshold": Decimal("120"), "currency": ""}, "threshold", "from 0 to 100"),
        ({"threshold": Decimal("-1")}, "threshold", "from 0 to"),
        ({"metric": "conversions", "threshold": Decimal("2.5"), "currency": ""}, "threshold", "whole numbers"),
        ({"currency": "JPY", "threshold": Decimal("60.50")}, "threshold", "JPY has no minor unit"),
        ({"currency": "XYZ"}, "currency", "not a currency code"),
        ({"currency": ""}, "currency", "Name the currency"),
        ({"window_days": 31}, "window_days", "less than or equal to 30"),
        ({"scope": "platform"}, "platform", "Choose the platform"),
        ({"run_at": None}, "run_at", "needs the time"),
        ({"action": "pause", "action_value": Decimal("10")}, "action_value", "Only a budget change"),
        ({"action": "set_budget"}, "action_value", "Write the new daily budget"),
        ({"action": "set_budget", "currency": "JPY", "action_value": Decimal("10.50"), "threshold": Decimal("9")},
         "action_value", "whole amount"),
        ({"action": "change_budget", "action_value": Decimal("0")}, "action_value", "not 0"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_reason(tenant, fields, field, message):
    assert message in " ".join(errors_of(tenant, **fields)[field])


def test_a_percentage_beyond_the_guardrails_is_refused(tenant):
    AdGuardrails.objects.create(tenant=tenant, max_change_percent=20)
    errors = errors_of(tenant, action="change_budget", action_value=Decimal("25"))
    assert errors == {"action_value": ["The guardrails allow a change of at most 20% per action."]}
    assert make_rule(tenant, action="change_budget", action_value=Decimal("-20")).action_value == Decimal("-20")


def test_a_budget_below_the_guardrails_smallest_is_refused_in_the_rules_currency(tenant):
    AdGuardrails.objects.create(tenant=tenant, min_daily_budget=Decimal("1000"))
    errors = errors_of(
        tenant, currency="JPY", threshold=Decimal("5000"), action="set_budget", action_value=Decimal("500")
    )
    assert errors == {"action_value": ["The guardrails keep every daily budget at ¥1,000 or more."]}
