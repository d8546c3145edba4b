"""Money is never added across currencies (issue 46, point 6): with a US-dollar and a yen account connected, the
Paid Ads agent's totals are per currency, its rankings include every campaign (ratios rank together, money within
its currency), and the read tools say which currency each amount is in (tests/fixtures/two_currencies.py)."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from agents.read_tools import TOOLS
from core.money import money
from tests.agents.conftest import YESTERDAY
from tests.factories import CampaignDailyStatFactory, CampaignFactory
from tests.fixtures.two_currencies import ALL_NAMES

pytestmark = pytest.mark.django_db

# The dollars and the yen added up: spend 19,145 (in any language's grouping), ROAS 2.9x, CPA 167.94.
ADDED_UP = re.compile(r"19\W?145|2[.,]9x|167[.,]94")


@pytest.fixture
def connected(usd_and_jpy, frozen_now):
    usd_and_jpy(YESTERDAY)


def assert_nothing_added_across(text):
    assert not ADDED_UP.search(text), f"yen added to dollars in {text!r}"


def test_the_overview_gives_each_currencys_totals(connected, ask):
    text = ask("paid_ads", "How did all our campaigns do this week?").text

    assert_nothing_added_across(text)
    assert "$10,145" in text and "¥9,000" in text
    assert "ROAS 2.4x" in text and "ROAS 3.5x" in text  # each currency's own revenue over its own spend
    assert "CPA $101.45" in text and "CPA ¥643" in text
    assert "Best ROAS: Tokyo Launch 5.0x. Worst: Osaka Promo 0.5x." in text


def test_the_overview_in_spanish_gives_each_currencys_totals(connected, ask):
    text = ask("paid_ads", "¿Cómo van las campañas esta semana?").text

    assert_nothing_added_across(text)
    with translation.override("es"):
        dollars, yen = money(Decimal("10144.93"), "USD"), money(Decimal("9000"), "JPY")
    assert dollars in text and yen in text
    assert "Todas las campañas" in text


def test_one_currency_reads_as_before(ask, tenant):
    for name in ("North", "South"):
        CampaignDailyStatFactory(campaign=CampaignFactory(tenant=tenant, name=name), date=YESTERDAY)
    text = ask("paid_ads", "How did all our campaigns do this week?").text
    assert text.startswith("All campaigns, last 7 days: spend $960.00 (n/a), CTR 2.0% (n/a), CPA $12.00 (n/a)")


def test_ranking_by_roas_lists_every_campaign_whatever_its_currency(connected, ask):
    text = ask("paid_ads", "Rank our campaigns by ROAS").text

    listed = text[text.index("By ROAS") :]
    places = [listed.index(name) for name in ("Tokyo Launch", "Spring Sale", "Summer Sale", "Osaka Promo")]
    assert places == sorted(places)
    assert "¥6,000" in text and "$7,000" in text and "No spend" not in text


def test_the_best_performing_campaign_is_read_by_roas_when_currencies_differ(connected, ask):
    text = ask("paid_ads", "What's our best performing campaign?").text

    assert text.startswith("Tokyo Launch has the best ROAS: 5.0x")
    assert all(name in text for name in ALL_NAMES)


def test_a_money_metric_is_ranked_within_each_currency(connected, ask):
    text = ask("paid_ads", "Which campaign has the lowest CPA?").text

    # Spring Sale's $100 is not "lower" than Tokyo Launch's ¥500: each currency has its own lowest.
    assert "Spring Sale" in text and "Tokyo Launch" in text
    assert all(name in text for name in ALL_NAMES)
    assert text.index("Spring Sale") < text.index("Summer Sale") and text.index("Tokyo Launch") < text.index("Osaka")
    assert "$100.00" in text and "¥500" in text and "¥1,500" in text
    assert "USD" in text and "JPY" in text


def test_an_action_on_a_money_superlative_across_currencies_asks_which(connected, ask):
    reply = ask("paid_ads", "Pause the campaign with the highest CPA")

    assert reply.actions == []
    assert "Summer Sale" in reply.text and "Osaka Promo" in reply.text


def test_the_rank_tool_ranks_ratios_together_and_money_within_its_currency(connected, tenant, tenant_admin):
    roas = TOOLS["rank_campaigns"].call(tenant, tenant_admin, {"metric": "roas", "limit": 10})
    assert [(c["name"], c["currency"]) for c in roas["campaigns"]] == [
        ("Tokyo Launch", "JPY"), ("Spring Sale", "USD"), ("Summer Sale", "USD"), ("Osaka Promo", "JPY")
    ]  # fmt: skip

    cpa = TOOLS["rank_campaigns"].call(tenant, tenant_admin, {"metric": "cpa", "limit": 10})
    assert cpa["ranked_within_currency"] is True
    assert [(c["name"], c["currency"], c["cpa"]) for c in cpa["campaigns"]] == [
        ("Tokyo Launch", "JPY", "500"), ("Osaka Promo", "JPY", "1500"),
        ("Spring Sale", "USD", "100.00"), ("Summer Sale", "USD", "104.83"),
    ]  # fmt: skip


def test_the_performance_tool_writes_each_amount_in_its_currencys_digits(connected, tenant, tenant_admin):
    rows = TOOLS["campaign_performance"].call(tenant, tenant_admin, {})["campaigns"]
    tokyo = next(row for row in rows if row["name"] == "Tokyo Launch")
    assert tokyo["currency"] == "JPY" and tokyo["period"]["spend"] == "6000" and tokyo["daily_budget"] == "40000"
