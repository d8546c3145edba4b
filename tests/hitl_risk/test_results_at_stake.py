"""Risk that counts results (issue 51, point 6): pausing or cutting a campaign scores the conversions and conversion
value it puts at stake, from its last 7 whole days in the tenant's zone and in its own currency; a raise scores the
spend it adds, as before."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from agents.actions import ProposedAction
from hitl.models import RiskLevel
from hitl.risk import assess, readable_factors
from hitl.services.decisions import approve
from hitl.services.requests import request_approval
from tests.factories import CampaignDailyStatFactory, CampaignFactory

pytestmark = pytest.mark.django_db

# Sunday 15 June 2025, 14:00 in Paris (the test tenant's zone): the week read is 8 to 14 June.
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
TODAY = date(2025, 6, 15)


def figures(campaign, *, spend, revenue, conversions, days=7, first_back=1):
    """The same figures each day for `days` whole days, the latest `first_back` days before TODAY."""
    for back in range(first_back, first_back + days):
        CampaignDailyStatFactory(
            campaign=campaign,
            date=TODAY - timedelta(days=back),
            spend=Decimal(spend),
            revenue=Decimal(revenue),
            conversions=conversions,
        )


@pytest.fixture
def brand_search(tenant):
    """The tenant's best campaign: ROAS 3.7, $12,147.10 of conversion value and 42 conversions a week."""
    campaign = CampaignFactory(tenant=tenant, name="Brand Search", daily_budget=Decimal("500.00"))
    figures(campaign, spend="469.00", revenue="1735.30", conversions=6)
    weaker = CampaignFactory(tenant=tenant, name="Display", daily_budget=Decimal("200.00"))
    figures(weaker, spend="150.00", revenue="300.00", conversions=1)  # $2,100 a week
    return campaign


def pause(campaign, **overrides) -> ProposedAction:
    fields = dict(
        action_type="pause_campaign",
        action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
        summary=f"Pause {campaign.name}",
        estimated_cost=Decimal("0"),
        confidence=1.0,
    )
    return ProposedAction(**{**fields, **overrides})


def budget(campaign, new) -> dict:
    return {
        "campaign_id": str(campaign.pk),
        "campaign_name": campaign.name,
        "daily_budget": new,
        "previous_daily_budget": str(campaign.daily_budget),
        "currency": campaign.currency,
    }


def scored(tenant, action_type, data, cost="0"):
    return assess(
        tenant=tenant,
        action_type=action_type,
        estimated_cost=Decimal(cost),
        estimated_reach=0,
        confidence=1.0,
        currency=data.get("currency", "USD"),
        action_data=data,
        now=NOW,
    )


def factor(factors, name="results_at_stake"):
    return next(f for f in factors if f["factor"] == name)


def test_pausing_the_best_campaign_scores_the_results_it_brings_in(tenant, paid_ads, requester, brand_search):
    """Before: LOW 10/100 with $0 (only the spend counted). Now its week's results (86% of the account's, by
    conversions) and their size ($52,059 over 30 days, above the large cost) score the 40 points money may."""
    with time_machine.travel(NOW, tick=False):
        approval = request_approval(tenant=tenant, agent=paid_ads, action=pause(brand_search), requested_by=requester)
    at_stake = factor(approval.risk_factors)
    assert (at_stake["points"], at_stake["max"]) == (40.0, 40)
    assert (approval.risk_score, approval.risk_level) == (50.0, RiskLevel.MEDIUM)  # + 10 for a pause
    assert at_stake["stake"] == {
        "campaign": "Brand Search",
        "currency": "USD",
        "share": "1",
        "first": "2025-06-08",
        "last": "2025-06-14",
        "has_figures": True,
        "conversions": "42.0",
        "value": "12147.10",
        "account_share": "0.8571",  # 42 of the account's 49 conversions
    }
    assert at_stake["detail"] == (
        "Pauses Brand Search: about 42 conversions and $12,147 of value a week at stake (7 days to June 14); 86% of "
        "the account's results over those days; about $52,059 in 30 days"
    )


def test_a_yen_campaign_is_scored_in_yen_never_with_dollars(tenant, brand_search):
    tokyo = CampaignFactory(tenant=tenant, name="Tokyo Launch", currency="JPY", daily_budget=Decimal("40000"))
    figures(tokyo, spend="70000", revenue="100000", conversions=3)  # ¥700,000 a week
    at_stake = factor(scored(tenant, "pause_campaign", {"campaign_id": str(tokyo.pk), "currency": "JPY"}).factors)
    assert at_stake["stake"]["currency"] == "JPY" and at_stake["stake"]["value"] == "700000"
    # The only yen campaign: all the account's yen value (the dollars of Brand Search are not added to it); its
    # ¥3,000,000 over 30 days is about $19,500, above the large cost.
    assert at_stake["points"] == 40.0
    assert "¥700,000 of value a week" in at_stake["detail"]
    assert "100% of the account's results over those days" in at_stake["detail"]
    assert (
        "$700,000" not in at_stake["detail"] and "about ¥3,000,000 (about $19,500) in 30 days" in (at_stake["detail"])
    )


def test_a_cut_scores_its_share_of_the_results(tenant, brand_search):
    assessment = scored(tenant, "set_budget", budget(brand_search, "300.00"))  # 40% of the budget
    at_stake = factor(assessment.factors)
    assert at_stake["stake"]["share"] == "0.4"
    assert (at_stake["stake"]["conversions"], at_stake["stake"]["value"]) == ("16.8", "4858.84")
    # 34% of the account's conversions (16.8 of 49): 17.1 points; $20,824 over 30 days: the large cost's 15.
    assert at_stake["points"] == 32.1
    assert factor(assessment.factors, "budget_relative")["detail"] == "No extra spend"


def test_a_raise_scores_the_spend_it_adds_and_puts_nothing_at_stake(tenant, brand_search):
    assessment = scored(tenant, "set_budget", budget(brand_search, "550.00"), cost="1500")
    at_stake = factor(assessment.factors)
    assert (at_stake["points"], at_stake["detail"]) == (0.0, "No campaign's results at stake")
    assert "stake" not in at_stake
    assert factor(assessment.factors, "budget_relative")["points"] > 0  # $1,500 of the last 30 days' spend


def test_a_campaign_without_conversions_scores_what_it_has(tenant):
    idle = CampaignFactory(tenant=tenant, name="Idle")
    figures(idle, spend="50.00", revenue="0", conversions=0)  # the account has no conversions at all: no division
    at_stake = factor(scored(tenant, "pause_campaign", {"campaign_id": str(idle.pk)}).factors)
    assert at_stake["points"] == 0.0
    assert at_stake["stake"]["has_figures"] is True and at_stake["stake"]["conversions"] == "0.0"
    assert at_stake["detail"].startswith("Pauses Idle: about 0 conversions and $0 of value a week at stake (7 days")


def test_a_campaign_without_synced_figures_says_so(tenant):
    new = CampaignFactory(tenant=tenant, name="New Launch")
    figures(new, spend="50.00", revenue="500", conversions=5, days=3, first_back=8)  # before the week read
    at_stake = factor(scored(tenant, "pause_campaign", {"campaign_id": str(new.pk)}).factors)
    assert at_stake["points"] == 0.0
    assert at_stake["stake"]["has_figures"] is False
    assert (
        at_stake["detail"] == "No figures for New Launch in the 7 days to June 14: what it puts at stake is not known"
    )


def test_another_tenants_campaign_puts_nothing_of_this_ones_at_stake(tenant, other_tenant):
    theirs = CampaignFactory(tenant=other_tenant, name="Theirs")
    figures(theirs, spend="469.00", revenue="1735.30", conversions=6)
    for raw_id in (str(theirs.pk), "not-a-uuid", None, 7):
        at_stake = factor(scored(tenant, "pause_campaign", {"campaign_id": raw_id}).factors)
        assert (at_stake["points"], at_stake["detail"]) == (0.0, "No campaign's results at stake")


def test_money_at_stake_and_money_spent_share_one_cap(tenant, brand_search):
    """An engine may estimate a cost for a pause (it has no cost rule): what it spends and what it puts at stake
    together score at most the 40 points of money, so the score stays out of 100."""
    assessment = scored(tenant, "pause_campaign", {"campaign_id": str(brand_search.pk)}, cost="100000")
    spent = (
        factor(assessment.factors, "budget_relative")["points"]
        + factor(assessment.factors, "budget_absolute")["points"]
    )
    assert spent == 40.0 and factor(assessment.factors)["points"] == 0.0
    assert assessment.score == round(sum(f["points"] for f in assessment.factors), 1) <= 100


def test_an_edit_from_a_raise_to_a_cut_is_scored_again_by_results(tenant, ask, approver, campaign):
    figures(campaign, spend="469.00", revenue="1735.30", conversions=6)
    with time_machine.travel(NOW, tick=False):
        approval = ask("700.00")  # a raise of the $500 budget
        assert factor(approval.risk_factors)["points"] == 0.0
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "250.00"}})
    approval.refresh_from_db()
    at_stake = factor(approval.risk_factors)
    assert at_stake["stake"]["share"] == "0.5" and at_stake["stake"]["value"] == "6073.55"
    assert at_stake["points"] == 40.0  # the only campaign with figures: half of all the account's value


def test_the_factor_is_named_and_told_in_the_readers_language(tenant, brand_search):
    factors = scored(tenant, "pause_campaign", {"campaign_id": str(brand_search.pk)}).factors
    with translation.override("es"):
        row = factor(readable_factors(factors, "pause_campaign"))
    assert row["label"] == "Resultados en juego" and (row["points"], row["max"]) == (40.0, 40)
    assert row["detail"].startswith("Pausa Brand Search: pone en juego unas 42 conversiones y ")
    assert row["detail"].endswith(
        "(7 días hasta el 14 de junio); 86% de los resultados de la cuenta en esos días; unos 52\xa0059 US$ en 30 días"
    )
