"""Money shows the currency it is counted in, in both languages: dollars as before, a currency with its own sign,
any other with its code; a currency without cents never shows any (agents.formatting, core.currencies)."""

from decimal import Decimal

import pytest
from django.utils import translation

from agents.action_specs import campaigns
from core import currencies
from core.money import money, money_exact
from hitl.models import HITLApproval
from hitl.presentation import edit_fields
from tests.factories import CampaignFactory


@pytest.mark.parametrize(
    ("amount", "currency", "english", "spanish"),
    [
        ("700", "USD", "$700.00", "700,00\xa0US$"),
        ("5000", "JPY", "¥5,000", "5\xa0000 ¥"),
        ("10.5", "EUR", "€10.50", "10,50 €"),
        ("12.5", "CHF", "CHF 12.50", "12,50 CHF"),
        ("1.2345", "KWD", "KWD 1.235", "1,235 KWD"),
        ("-3", "GBP", "-£3.00", "-3,00 £"),
    ],
)
def test_exact_amounts_in_their_currency(amount, currency, english, spanish):
    with translation.override("en"):
        assert money_exact(Decimal(amount), currency) == english
    with translation.override("es"):
        assert money_exact(Decimal(amount), currency).replace(" ", "\xa0") == spanish.replace(" ", "\xa0")


def test_dollars_stay_as_they_were_when_no_currency_is_given():
    with translation.override("en"):
        assert money_exact(Decimal("41.2")) == "$41.20"
        assert money(Decimal("3410")) == "$3,410" and money(Decimal("41.2")) == "$41.20"


def test_a_currency_without_cents_is_rounded_to_whole_units_in_summaries():
    with translation.override("en"):
        assert money(Decimal("950.4"), "JPY") == "¥950"
        assert money(Decimal("950.4"), "EUR") == "€950.40"


def test_places_follow_iso_4217():
    assert [currencies.places(code) for code in ("USD", "jpy", "KWD", "XYZ")] == [2, 0, 3, 2]


def test_a_campaigns_budget_action_reads_in_its_currency(tenant):
    tokyo = CampaignFactory(tenant=tenant, name="Tokyo Launch", daily_budget=Decimal("4000"), currency="JPY")
    data = campaigns.with_currency(
        tenant, {"campaign_id": str(tokyo.pk), "campaign_name": "Tokyo Launch", "daily_budget": "5000",
                 "previous_daily_budget": "4000"}
    )  # fmt: skip
    assert data["currency"] == "JPY"
    with translation.override("en"):
        assert campaigns.describe_budget(data) == "Raise Tokyo Launch daily budget from ¥4,000 to ¥5,000"
        assert campaigns.budget_changes(tenant, data) == [("Tokyo Launch daily budget", "¥4,000", "¥5,000")]
        result = campaigns.set_budget(tenant, data)  # the ledger's words, too
    assert str(result.detail) == "Tokyo Launch daily budget ¥4,000 -> ¥5,000"


def test_another_tenants_campaign_adds_no_currency(tenant, other_tenant):
    theirs = CampaignFactory(tenant=other_tenant, currency="EUR")
    data = {"campaign_id": str(theirs.pk), "daily_budget": "5"}
    assert campaigns.with_currency(tenant, data) == data


def test_a_proposal_without_a_currency_reads_in_dollars():
    with translation.override("en"):
        assert campaigns.describe_budget(
            {"campaign_name": "Old", "daily_budget": "7", "previous_daily_budget": "5"}
        ) == ("Raise Old daily budget from $5.00 to $7.00")


def test_the_built_in_engine_writes_a_yen_campaigns_budget_in_yen(ask, tenant):
    CampaignFactory(tenant=tenant, name="Tokyo Launch", daily_budget=Decimal("4000"), currency="JPY")

    [action] = ask("paid_ads", "Raise the Tokyo Launch budget to 5000 a day").actions

    assert action.summary == "Raise Tokyo Launch daily budget from ¥4,000 to ¥5,000"
    refused = ask("paid_ads", "cut the Tokyo Launch budget by 5000")
    assert refused.actions == [] and "more than ¥0" in refused.text and "-¥1,000" in refused.text
    assert "$" not in ask("paid_ads", "How is Tokyo Launch doing?").text


def test_the_approvers_edit_field_names_the_campaigns_currency(tenant):
    yen = HITLApproval(tenant=tenant, action_type="set_budget", action_data={"daily_budget": "5000", "currency": "JPY"})
    dollars = HITLApproval(tenant=tenant, action_type="set_budget", action_data={"daily_budget": "700"})
    with translation.override("en"):
        assert [f["label"] for f in edit_fields(yen)] == ["New daily budget (JPY)"]
        assert [f["label"] for f in edit_fields(dollars)] == ["New daily budget (USD)"]
    with translation.override("es"):
        assert [f["label"] for f in edit_fields(yen)] == ["Nuevo presupuesto diario (JPY)"]
