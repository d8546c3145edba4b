"""Which campaigns a rule fires for: each campaign's own figures over the window, in its own currency (USD with
cents, JPY without a minor unit), the minimum spend, the scope, and the words approvers read."""

from decimal import Decimal

import pytest
from django.utils import translation

from adplatforms.rules import describe
from adplatforms.rules.evaluation import evaluate
from core.money import money
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import LAST_DAY, figures, make_rule

pytestmark = pytest.mark.django_db


def test_a_cpa_above_the_threshold_fires_with_its_figures_in_dollars(tenant):
    brand = CampaignFactory(tenant=tenant, name="Brand Search", currency="USD")
    good = CampaignFactory(tenant=tenant, name="Retargeting", currency="USD")
    figures(brand, spend="180.43", conversions=2)  # 7 days: $1,263.01 for 15 conversions below
    figures(good, spend="100", conversions=5)
    rule = make_rule(tenant, threshold=Decimal("60"), min_spend=Decimal("100"))

    hits = evaluate(rule, LAST_DAY)

    assert [hit.campaign for hit in hits] == [brand]
    assert hits[0].value == Decimal("90.22")  # 1,263.01 / 14
    assert describe.figures(rule, hits[0]) == "CPA $90.22 over the last 7 days, above $60.00; spend $1,263"


def test_jpy_has_no_minor_unit_and_is_never_added_to_dollars(tenant):
    tokyo = CampaignFactory(tenant=tenant, name="Tokyo", currency="JPY", daily_budget=Decimal("50000"))
    dollars = CampaignFactory(tenant=tenant, name="Dollars", currency="USD")
    figures(tokyo, spend="12345", conversions=3)  # ¥86,415 for 21 conversions: ¥4,115 each
    figures(dollars, spend="12345", conversions=3)
    rule = make_rule(tenant, currency="JPY", threshold=Decimal("4000"))

    hits = evaluate(rule, LAST_DAY)

    assert [hit.campaign for hit in hits] == [tokyo]
    assert hits[0].value == Decimal("4115")
    assert describe.figures(rule, hits[0]) == "CPA ¥4,115 over the last 7 days, above ¥4,000; spend ¥86,415"


def test_below_the_minimum_spend_or_without_conversions_it_does_not_fire(tenant):
    small = CampaignFactory(tenant=tenant, name="Small")
    none = CampaignFactory(tenant=tenant, name="No conversions")
    figures(small, spend="10", conversions=1)
    figures(none, spend="500", conversions=0)
    rule = make_rule(tenant, threshold=Decimal("5"), min_spend=Decimal("100"))

    assert evaluate(rule, LAST_DAY) == []  # "Small" spent $70; the CPA of "No conversions" cannot be told


def test_the_window_ends_on_the_day_asked_and_counts_only_its_days(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Brand")
    figures(campaign, days=3, spend="100", conversions=1)  # 24-26 Nov: CPA $100
    figures(campaign, days=3, last=LAST_DAY.replace(day=20), spend="10", conversions=10)  # 18-20 Nov: CPA $1
    rule = make_rule(tenant, window_days=3, threshold=Decimal("50"))

    assert [hit.value for hit in evaluate(rule, LAST_DAY)] == [Decimal("100.00")]
    assert evaluate(rule, LAST_DAY.replace(day=20)) == []


@pytest.mark.parametrize(
    ("metric", "comparison", "threshold", "expected"),
    [
        ("roas", "lt", "1.5", "ROAS 1.20x over the last 7 days, below 1.50x; spend $700.00"),
        ("ctr", "lt", "2", "CTR 1.00% over the last 7 days, below 2.00%; spend $700.00"),
        ("conversions", "lte", "10", "Conversions 7 over the last 7 days, at most 10; spend $700.00"),
        ("pacing", "gte", "90", "Budget pacing 100.0% over the last 7 days, at least 90.0%; spend $700.00"),
        ("spend", "gt", "600", "Spend $700.00 over the last 7 days, above $600.00"),
    ],
)
def test_each_metric_in_words(tenant, metric, comparison, threshold, expected):
    campaign = CampaignFactory(tenant=tenant, name="Brand", daily_budget=Decimal("100"))
    figures(campaign, spend="100", conversions=1, revenue="120", clicks=10, impressions=1000)
    rule = make_rule(tenant, metric=metric, comparison=comparison, threshold=Decimal(threshold))

    (hit,) = evaluate(rule, LAST_DAY)

    assert describe.figures(rule, hit) == expected


def test_scope_one_campaign_or_one_platform_and_only_campaigns_the_action_can_change(tenant):
    meta = CampaignFactory(tenant=tenant, name="Meta one", platform="meta")
    google = CampaignFactory(tenant=tenant, name="Google one", platform="google")
    paused = CampaignFactory(tenant=tenant, name="Paused", platform="google", status="paused")
    for campaign in (meta, google, paused):
        figures(campaign, spend="100", conversions=1)

    assert [
        h.campaign for h in evaluate(make_rule(tenant, name="a", scope="platform", platform="google"), LAST_DAY)
    ] == [google]
    assert [h.campaign for h in evaluate(make_rule(tenant, name="b", scope="campaign", campaign=meta), LAST_DAY)] == [
        meta
    ]
    resume = make_rule(tenant, name="c", action="resume", metric="roas", comparison="gte", threshold=Decimal("0"))
    assert [h.campaign for h in evaluate(resume, LAST_DAY)] == [paused]


def test_the_figures_read_in_spanish_with_spanish_money(tenant):
    brand = CampaignFactory(tenant=tenant, name="Brand Search", currency="USD")
    figures(brand, spend="180.43", conversions=2)
    rule = make_rule(tenant)
    (hit,) = evaluate(rule, LAST_DAY)

    with translation.override("es"):
        words = describe.figures(rule, hit)
        dollars = [money(Decimal(amount), "USD") for amount in ("90.22", "60", "1263.01")]  # "1 263 US$"

    assert words == "CPA {} en los últimos 7 días, por encima de {}; gasto {}".format(*dollars)
