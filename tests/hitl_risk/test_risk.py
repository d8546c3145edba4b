"""hitl.risk: each factor at zero, at its cap and in between, the levels, tenant policies, scoping and windows."""

import math
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from agents.actions import ActionType
from hitl.models import HITLApproval, RiskLevel, RiskPolicy
from hitl.risk import DEFAULT_ACTION_BASE_RISK, assess, priority_for
from tests.action_types.conftest import registered
from tests.factories import CampaignDailyStatFactory, CampaignFactory, HITLApprovalFactory

pytestmark = pytest.mark.django_db

# Sunday 15 June 2025, 14:00 in Paris (the test tenant's zone): the spend window is 16 May to 14 June.
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
TODAY = date(2025, 6, 15)


def run(tenant, *, action_type="add_target_keyword", cost="0", reach=0, confidence=1.0, requested_by=None, now=NOW):
    """Assess with everything at zero risk unless given (add_target_keyword still has its base points)."""
    return assess(
        tenant=tenant,
        action_type=action_type,
        estimated_cost=Decimal(cost),
        estimated_reach=reach,
        confidence=confidence,
        requested_by=requested_by,
        now=now,
    )


def factor(assessment, name):
    return next(f for f in assessment.factors if f["factor"] == name)


def points(assessment, name):
    return factor(assessment, name)["points"]


def spend(tenant, amount, days_ago):
    """One day's spend, `days_ago` days before TODAY, each on its own campaign."""
    CampaignDailyStatFactory(
        campaign=CampaignFactory(tenant=tenant), date=TODAY - timedelta(days=days_ago), spend=Decimal(amount)
    )


def spend_daily(tenant, amount, days=30):
    """`amount` a day over the last `days` complete days."""
    campaign = CampaignFactory(tenant=tenant)
    for n in range(1, days + 1):
        CampaignDailyStatFactory(campaign=campaign, date=TODAY - timedelta(days=n), spend=Decimal(amount))


def request(tenant, user, *, at, status="pending"):
    """An approval requested by `user` at `at`, then set to `status`."""
    with time_machine.travel(at, tick=False):
        approval = HITLApprovalFactory(tenant=tenant, requested_by=user)
    HITLApproval.objects.filter(pk=approval.pk).update(status=status)
    return approval


# --- budget_relative (max 25): 25 * min(1, cost / last 30 days' spend / 0.5) ---


def test_relative_zero_cost_is_zero(tenant):
    spend_daily(tenant, "500")
    assessment = run(tenant, cost="0")
    assert points(assessment, "budget_relative") == 0
    assert factor(assessment, "budget_relative")["detail"] == "No extra spend"


def test_relative_without_spend_is_the_maximum(tenant):
    assessment = run(tenant, cost="5")
    assert points(assessment, "budget_relative") == 25
    assert factor(assessment, "budget_relative")["detail"] == "$5 with no spend in the last 30 days"


@pytest.mark.parametrize(
    "cost, expected",
    [
        ("1500", 5.0),  # 10% of $15,000: 25 * 0.1 / 0.5
        ("6000", 20.0),  # 40%: 25 * 0.4 / 0.5
        ("7500", 25.0),  # 50%: the maximum
        ("20000", 25.0),  # above: capped
    ],
)
def test_relative_grows_linearly_to_half_the_recent_spend(tenant, cost, expected):
    spend_daily(tenant, "500")  # $15,000 over 30 days
    assert points(run(tenant, cost=cost), "budget_relative") == expected


def test_relative_detail_reads(tenant):
    spend_daily(tenant, "500")
    detail = factor(run(tenant, cost="6000"), "budget_relative")["detail"]
    assert detail == "$6,000 is 40% of the last 30 days' spend ($15,000)"


def test_relative_counts_the_30_complete_days_before_today(tenant):
    spend(tenant, "1000", days_ago=1)  # counted
    spend(tenant, "1000", days_ago=30)  # counted: the window's first day
    spend(tenant, "7000", days_ago=0)  # today is not over: not counted
    spend(tenant, "9000", days_ago=31)  # too old
    assessment = run(tenant, cost="100")
    assert points(assessment, "budget_relative") == 2.5  # 25 * (100 / 2000) / 0.5
    assert factor(assessment, "budget_relative")["detail"].endswith("($2,000)")


def test_relative_uses_the_tenants_local_date(tenant):
    # 23:30 UTC on 14 June is already 15 June in Paris: 14 June is yesterday, 15 May is 31 days back.
    now = datetime(2025, 6, 14, 23, 30, tzinfo=UTC)
    spend(tenant, "1000", days_ago=1)
    spend(tenant, "4000", days_ago=31)
    assessment = run(tenant, cost="100", now=now)
    assert points(assessment, "budget_relative") == 5.0  # 25 * (100 / 1000) / 0.5
    assert factor(assessment, "budget_relative")["detail"].endswith("($1,000)")


def test_relative_ignores_another_tenants_spend(tenant, other_tenant):
    spend_daily(other_tenant, "500")
    assert points(run(tenant, cost="100"), "budget_relative") == 25
    assert points(run(other_tenant, cost="1500"), "budget_relative") == 5.0


# --- budget_absolute (max 15): 15 * log10(cost) / log10(large_cost), 0 at $1 or less ---


@pytest.mark.parametrize(
    "cost, expected",
    [
        ("0", 0.0),
        ("0.50", 0.0),
        ("1", 0.0),
        ("100", 7.5),  # 15 * 2 / 4
        ("6000", round(15 * math.log10(6000) / 4, 1)),  # 14.2
        ("10000", 15.0),
        ("50000", 15.0),
    ],
)
def test_absolute_on_a_log_scale_up_to_the_default_large_cost(tenant, cost, expected):
    assert points(run(tenant, cost=cost), "budget_absolute") == expected


def test_absolute_uses_the_policys_large_cost(tenant):
    RiskPolicy.objects.create(tenant=tenant, large_cost=Decimal("1000"))
    assert points(run(tenant, cost="100"), "budget_absolute") == 10.0  # 15 * 2 / 3
    assert points(run(tenant, cost="1000"), "budget_absolute") == 15.0


def test_a_yen_cost_is_scored_in_dollars_through_the_rate_table(tenant, settings):
    settings.RISK_DOLLAR_RATES = {"USD": Decimal("1"), "JPY": Decimal("0.01")}
    yen = assess(tenant=tenant, action_type="set_budget", estimated_cost=Decimal("70000"), estimated_reach=0,
                 confidence=1.0, currency="JPY", now=NOW)  # fmt: skip
    assert points(yen, "budget_absolute") == round(15 * math.log10(700) / 4, 1)  # $700, not $70,000
    assert points(run(tenant, cost="70000"), "budget_absolute") == 15.0  # the same figure in dollars
    assert factor(yen, "budget_absolute")["detail"] == "¥70,000 (about $700) against a large cost of $10,000"


def test_a_currency_without_a_rate_counts_as_large_and_says_why(tenant, settings):
    settings.RISK_DOLLAR_RATES = {"USD": Decimal("1")}
    scored = assess(tenant=tenant, action_type="set_budget", estimated_cost=Decimal("5"), estimated_reach=0,
                    confidence=1.0, currency="CHF", now=NOW)  # fmt: skip
    assert points(scored, "budget_absolute") == 15.0
    assert factor(scored, "budget_absolute")["detail"] == (
        "CHF 5: no dollar rate for CHF (RISK_DOLLAR_RATES), counted as large"
    )


def test_relative_compares_with_the_spend_in_the_same_currency(tenant):
    spend_daily(tenant, "100")  # $3,000 over 30 days
    yen_campaign = CampaignFactory(tenant=tenant, currency="JPY")
    CampaignDailyStatFactory(campaign=yen_campaign, date=TODAY - timedelta(days=1), spend=Decimal("200000"))
    yen = assess(tenant=tenant, action_type="set_budget", estimated_cost=Decimal("10000"), estimated_reach=0,
                 confidence=1.0, currency="JPY", now=NOW)  # fmt: skip
    assert points(yen, "budget_relative") == 2.5  # 25 * (10,000 / 200,000) / 0.5
    assert factor(yen, "budget_relative")["detail"] == "¥10,000 is 5% of the last 30 days' spend (¥200,000)"
    assert points(run(tenant, cost="150"), "budget_relative") == 2.5  # dollars against the $3,000


# --- reach (max 15): 15 * (log10(reach) - 2) / 4, 0 at 100 or fewer, maximum at a million ---


@pytest.mark.parametrize(
    "reach, expected",
    [
        (0, 0.0),
        (-5, 0.0),
        (100, 0.0),
        (10_000, 7.5),
        (750_000, round(15 * (math.log10(750_000) - 2) / 4, 1)),  # 14.5
        (1_000_000, 15.0),
        (2_000_000, 15.0),
    ],
)
def test_reach_on_a_log_scale(tenant, reach, expected):
    assert points(run(tenant, reach=reach), "reach") == expected


# --- action_type (max 25) ---


def test_every_action_type_has_a_default():
    assert set(DEFAULT_ACTION_BASE_RISK) == set(ActionType.values)
    assert all(0 <= value <= 25 for value in DEFAULT_ACTION_BASE_RISK.values())


@pytest.mark.parametrize("action_type", ActionType.values)
def test_action_type_default_points(tenant, action_type):
    assert points(run(tenant, action_type=action_type), "action_type") == DEFAULT_ACTION_BASE_RISK[action_type]


def test_unknown_action_type_gets_the_maximum(tenant):
    assessment = run(tenant, action_type="delete_account")
    assert points(assessment, "action_type") == 25
    assert factor(assessment, "action_type")["detail"] == "delete_account (unknown action type)"


def test_a_registered_types_points_are_its_base_risk_and_only_in_its_tenant(tenant, other_tenant):
    registered(tenant, base_risk=7)
    assessment = run(tenant, action_type="update_budget")
    assert points(assessment, "action_type") == 7
    assert factor(assessment, "action_type")["detail"] == "update_budget (registered type)"
    assert points(run(other_tenant, action_type="update_budget"), "action_type") == 25


def test_the_policy_overrides_a_registered_types_points(tenant):
    registered(tenant, base_risk=7)
    RiskPolicy.objects.create(tenant=tenant, action_base_risk={"update_budget": 12})
    assert points(run(tenant, action_type="update_budget"), "action_type") == 12


@pytest.mark.parametrize("configured, expected", [(22, 22.0), (0, 0.0), (40, 25.0), (-3, 0.0), ("lots", 25.0)])
def test_policy_overrides_the_base_points_clamped(tenant, configured, expected):
    RiskPolicy.objects.create(tenant=tenant, action_base_risk={"set_budget": configured})
    assert points(run(tenant, action_type="set_budget"), "action_type") == expected
    assert points(run(tenant, action_type="pause_campaign"), "action_type") == 10  # not overridden: default


def test_another_tenants_policy_does_not_apply(tenant, other_tenant):
    RiskPolicy.objects.create(tenant=other_tenant, action_base_risk={"set_budget": 1}, medium_threshold=5)
    assessment = run(tenant, action_type="set_budget")
    assert points(assessment, "action_type") == 20
    assert assessment.level == RiskLevel.LOW


# --- requester_history (max 10): 2.5 per rejection in 30 days + 1 per request above 10 in 24 hours ---


def test_no_requester_is_zero(tenant):
    assessment = run(tenant)
    assert points(assessment, "requester_history") == 0
    assert factor(assessment, "requester_history")["detail"] == "No requester"


def test_a_requester_without_history_is_zero(tenant, colleague):
    request(tenant, colleague, at=NOW - timedelta(days=3), status="approved")
    assert points(run(tenant, requested_by=colleague), "requester_history") == 0


def test_recent_rejections_count(tenant, colleague):
    request(tenant, colleague, at=NOW - timedelta(days=2), status="rejected")
    request(tenant, colleague, at=NOW - timedelta(days=29), status="rejected")
    request(tenant, colleague, at=NOW - timedelta(days=5), status="approved")  # not a rejection
    request(tenant, colleague, at=NOW - timedelta(days=5), status="expired")  # not a rejection either
    assessment = run(tenant, requested_by=colleague)
    assert points(assessment, "requester_history") == 5.0
    assert factor(assessment, "requester_history")["detail"].startswith("2 rejected in the last 30 days")


def test_rejections_older_than_30_days_are_not_counted(tenant, colleague):
    request(tenant, colleague, at=NOW - timedelta(days=31), status="rejected")
    request(tenant, colleague, at=NOW - timedelta(days=30, seconds=1), status="rejected")
    assert points(run(tenant, requested_by=colleague), "requester_history") == 0


def test_other_requesters_and_tenants_rejections_are_not_counted(tenant, other_tenant, colleague, tenant_admin):
    request(tenant, tenant_admin, at=NOW - timedelta(days=1), status="rejected")
    request(other_tenant, colleague, at=NOW - timedelta(days=1), status="rejected")
    assert points(run(tenant, requested_by=colleague), "requester_history") == 0
    assert points(run(tenant, requested_by=tenant_admin), "requester_history") == 2.5


def test_request_volume_above_normal_counts(tenant, colleague):
    for n in range(12):
        request(tenant, colleague, at=NOW - timedelta(hours=23, minutes=n))
    assessment = run(tenant, requested_by=colleague)
    assert points(assessment, "requester_history") == 2.0  # 12 - 10
    assert factor(assessment, "requester_history")["detail"] == (
        "0 rejected in the last 30 days; 12 requests in the last 24 hours (normal: up to 10)"
    )


def test_requests_outside_the_24_hours_are_not_counted(tenant, colleague):
    for n in range(10):
        request(tenant, colleague, at=NOW - timedelta(hours=1, minutes=n))
    for n in range(5):
        request(tenant, colleague, at=NOW - timedelta(hours=25, minutes=n))  # too old
    request(tenant, colleague, at=NOW + timedelta(hours=1))  # after `now`
    assert points(run(tenant, requested_by=colleague), "requester_history") == 0


def test_requester_history_is_capped(tenant, colleague):
    for n in range(5):
        request(tenant, colleague, at=NOW - timedelta(days=2 + n), status="rejected")
    assert points(run(tenant, requested_by=colleague), "requester_history") == 10  # 12.5, capped


# --- confidence (max 10): (1 - confidence) * 10 ---


@pytest.mark.parametrize(
    "confidence, expected",
    [(1.0, 0.0), (0.9, 1.0), (0.25, 7.5), (0.0, 10.0), (1.5, 0.0), (-0.5, 10.0), (math.nan, 10.0)],
)
def test_confidence(tenant, confidence, expected):
    assert points(run(tenant, confidence=confidence), "confidence") == expected


# --- levels and priority ---


@pytest.mark.parametrize(
    "base, cost, reach, confidence, score, level",
    [
        (19.9, "0", 0, 0.0, 29.9, RiskLevel.LOW),  # base + 10 (confidence)
        (20, "0", 0, 0.0, 30.0, RiskLevel.MEDIUM),
        (14.9, "10000", 0, 1.0, 54.9, RiskLevel.MEDIUM),  # 25 (no spend) + 15 (large cost) + base
        (15, "10000", 0, 1.0, 55.0, RiskLevel.HIGH),
        (24.9, "10000", 1_000_000, 1.0, 79.9, RiskLevel.HIGH),  # 25 + 15 + 15 (reach) + base
        (25, "10000", 1_000_000, 1.0, 80.0, RiskLevel.CRITICAL),
    ],
)
def test_levels_at_the_default_thresholds(tenant, base, cost, reach, confidence, score, level):
    RiskPolicy.objects.create(tenant=tenant, action_base_risk={"set_budget": base})
    assessment = run(tenant, action_type="set_budget", cost=cost, reach=reach, confidence=confidence)
    assert (assessment.score, assessment.level) == (score, level)


@pytest.mark.parametrize(
    "base, confidence, level",
    [(9.9, 1.0, RiskLevel.LOW), (10, 1.0, RiskLevel.MEDIUM), (20, 1.0, RiskLevel.HIGH), (25, 0.0, RiskLevel.HIGH)],
)
def test_policy_thresholds(tenant, base, confidence, level):
    RiskPolicy.objects.create(
        tenant=tenant,
        action_base_risk={"add_target_keyword": base},
        medium_threshold=10,
        high_threshold=20,
        critical_threshold=40,
    )
    assert run(tenant, confidence=confidence).level == level


def test_policy_critical_threshold(tenant):
    RiskPolicy.objects.create(tenant=tenant, medium_threshold=10, high_threshold=20, critical_threshold=40)
    assessment = run(tenant, action_type="set_budget", reach=1_000_000, confidence=0.5)  # 20 + 15 + 5
    assert (assessment.score, assessment.level) == (40.0, RiskLevel.CRITICAL)


@pytest.mark.parametrize(
    "level, priority",
    [(RiskLevel.CRITICAL, 1), (RiskLevel.HIGH, 2), (RiskLevel.MEDIUM, 3), (RiskLevel.LOW, 4), ("critical", 1)],
)
def test_priority_for(level, priority):
    assert priority_for(level) == priority


# --- the whole assessment ---


def test_factors_are_listed_in_order_with_their_caps(tenant):
    assessment = run(tenant)
    assert [(f["factor"], f["max"]) for f in assessment.factors] == [
        ("budget_relative", 25),
        ("budget_absolute", 15),
        ("results_at_stake", 40),  # shares its points with the two above (hitl.risk)
        ("reach", 15),
        ("action_type", 25),
        ("requester_history", 10),
        ("confidence", 10),
    ]
    assert set(assessment.factors[0]) == {"factor", "points", "max", "detail", "says"}
    with pytest.raises(FrozenInstanceError):
        assessment.score = 0


@pytest.mark.parametrize(
    "action_type, cost, reach, confidence",
    [
        ("add_target_keyword", "0", 5400, 0.9),
        ("set_budget", "6000", 750_000, 0.7),
        ("publish_content", "0", 33_333, 0.83),
        ("create_retargeting", "1234.56", 2_000_000, 0.1),
        ("unknown", "99999", 7, 0.33),
    ],
)
def test_factor_points_sum_to_the_score(tenant, colleague, action_type, cost, reach, confidence):
    spend_daily(tenant, "123.45")
    request(tenant, colleague, at=NOW - timedelta(days=3), status="rejected")
    assessment = run(
        tenant, action_type=action_type, cost=cost, reach=reach, confidence=confidence, requested_by=colleague
    )
    assert assessment.score == round(sum(f["points"] for f in assessment.factors), 1)
    assert all(0 <= f["points"] <= f["max"] for f in assessment.factors)
    assert 0 <= assessment.score <= 100


def test_everything_at_its_cap_is_100(tenant, colleague):
    for n in range(4):
        request(tenant, colleague, at=NOW - timedelta(days=1 + n), status="rejected")
    assessment = run(
        tenant, action_type="mystery", cost="10000", reach=1_000_000, confidence=0.0, requested_by=colleague
    )
    assert (assessment.score, assessment.level) == (100.0, RiskLevel.CRITICAL)


def test_now_defaults_to_the_current_time(tenant, colleague):
    spend(tenant, "1000", days_ago=1)
    request(tenant, colleague, at=NOW - timedelta(days=1), status="rejected")
    with time_machine.travel(NOW, tick=False):
        assessment = assess(
            tenant=tenant,
            action_type="set_budget",
            estimated_cost=Decimal("100"),
            estimated_reach=0,
            confidence=1.0,
            requested_by=colleague,
        )
    assert points(assessment, "budget_relative") == 5.0
    assert points(assessment, "requester_history") == 2.5


# --- realistic scenarios ---


def test_a_small_keyword_add_is_low(tenant):
    assessment = run(tenant, action_type="add_target_keyword", reach=5400, confidence=0.9)
    assert assessment.score == 10.5  # reach 6.5 + base 3 + confidence 1
    assert assessment.level == RiskLevel.LOW
    assert priority_for(assessment.level) == 4


def test_a_200_a_day_raise_for_a_500_a_day_spender_is_medium_or_high(tenant, colleague):
    spend_daily(tenant, "500")
    # +$200/day for 30 days; 125 impressions per dollar.
    assessment = run(
        tenant, action_type="set_budget", cost="6000", reach=750_000, confidence=0.9, requested_by=colleague
    )
    assert [f["points"] for f in assessment.factors] == [20.0, 14.2, 0.0, 14.5, 20.0, 0.0, 1.0]  # no results
    assert assessment.score == 69.7
    assert assessment.level in {RiskLevel.MEDIUM, RiskLevel.HIGH}


def test_a_50000_raise_reaching_2m_from_a_rejected_requester_is_critical(tenant, colleague):
    spend_daily(tenant, "500")
    request(tenant, colleague, at=NOW - timedelta(days=4), status="rejected")
    request(tenant, colleague, at=NOW - timedelta(days=12), status="rejected")
    assessment = run(
        tenant, action_type="set_budget", cost="50000", reach=2_000_000, confidence=0.9, requested_by=colleague
    )
    assert [f["points"] for f in assessment.factors] == [25.0, 15.0, 0.0, 15.0, 20.0, 5.0, 1.0]
    assert (assessment.score, assessment.level) == (81.0, RiskLevel.CRITICAL)
    assert priority_for(assessment.level) == 1
