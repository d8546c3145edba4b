"""Google Ads recommendations as proposals (issue 51, point 2): read at each sync, each filed once as a proposal
with Google's impact estimate in the campaign's currency; approved, applied on Google once (validated, then
`recommendations:apply`, then read back); rejected, dismissed on Google; no longer offered, withdrawn."""

from decimal import Decimal

import pytest

from adplatforms import clients
from adplatforms.models import PlatformChange
from adplatforms.recommendations.models import PlatformRecommendation, Status
from adplatforms.recommendations.settling import settle
from agents.models import Campaign
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from hitl.services.execution import run_execution
from tests.recommendations.helpers import (
    JAPAN,
    YEN_MORE,
    YEN_WEEK,
    budget_recommendation,
    calls,
    connected,
    refused_before_applying,
    sync,
)

pytestmark = pytest.mark.django_db


def row_of(rec_id) -> PlatformRecommendation:
    return PlatformRecommendation.objects.select_related("approval").get(resource_name__endswith=f"/{rec_id}")


def test_a_budget_recommendation_is_filed_with_googles_estimate_in_dollars(google_ads, tenant):
    budget_recommendation(google_ads)
    connection = connected(google_ads, tenant)

    row = row_of("r1")
    assert row.status == Status.WAITING and row.kind == "campaign_budget"
    approval = row.approval
    assert approval.status == "pending" and approval.action_type == "apply_recommendation"
    assert approval.requested_by_rule == "Google Ads recommendations"
    assert approval.action_summary == (
        "Google Ads recommends: raise Spring sale daily budget from $40.00 to $60.00. "
        "Cost a week (estimated by Google Ads) $3,500.00, then $4,550.00; "
        "Clicks a week (estimated by Google Ads) 1,200, then 1,450; "
        "Conversions a week (estimated by Google Ads) 40, then 52."
    )
    assert approval.estimated_cost == Decimal("600.00")  # $20.00 more a day over 30 days
    spec = approval.action_spec
    assert spec.changes(tenant, approval.action_data) == [
        ("Spring sale daily budget", "$40.00", "$60.00"),
        ("Cost a week (estimated by Google Ads)", "$3,500.00", "$4,550.00"),
        ("Clicks a week (estimated by Google Ads)", "1,200", "1,450"),
        ("Conversions a week (estimated by Google Ads)", "40", "52"),
    ]
    assert row.connection == connection and row.campaign.name == "Spring sale"


def test_a_yen_recommendation_reads_in_whole_yen(google_ads, tenant):
    google_ads.add_recommendation(
        JAPAN, "j1", "CAMPAIGN_BUDGET", "301", budget_micros=6_500_000_000, base=YEN_WEEK, potential=YEN_MORE
    )
    connected(google_ads, tenant, JAPAN)

    approval = row_of("j1").approval
    assert approval.action_data["currency"] == "JPY"
    assert approval.action_data["daily_budget"] == "6500" and approval.action_data["previous_daily_budget"] == "5000"
    assert approval.action_summary == (
        "Google Ads recommends: raise Tokyo search daily budget from ¥5,000 to ¥6,500. "
        "Cost a week (estimated by Google Ads) ¥35,000, then ¥45,500; "
        "Clicks a week (estimated by Google Ads) 300, then 390; "
        "Conversions a week (estimated by Google Ads) 12, then 15.5."
    )
    assert approval.estimated_cost == Decimal("45000")  # ¥1,500 more a day over 30 days


@pytest.mark.parametrize(
    ("kind", "fields", "words"),
    [
        ("KEYWORD", {"keyword": "spring boots", "match_type": "PHRASE", "ad_group_id": "77"},
         "add the keyword “spring boots” (phrase match) to Spring sale"),
        ("TARGET_CPA_OPT_IN", {"target_cpa_micros": 42_500_000},
         "bid Spring sale for a target cost per conversion of $42.50"),
        ("TARGET_ROAS_OPT_IN", {"target_roas": 3.5}, "bid Spring sale for a target return on ad spend of 3.50"),
    ],
)  # fmt: skip
def test_keyword_and_bidding_recommendations_are_filed_in_words(google_ads, tenant, kind, fields, words):
    google_ads.add_recommendation("1234567890", "k1", kind, "120", **fields)
    connected(google_ads, tenant)

    approval = row_of("k1").approval
    assert approval.action_summary == f"Google Ads recommends: {words}."  # no impact given: none shown


def test_the_same_recommendation_read_at_the_next_sync_files_nothing_more(google_ads, tenant):
    budget_recommendation(google_ads)
    connection = connected(google_ads, tenant)
    first = row_of("r1")

    sync(connection)

    assert PlatformRecommendation.objects.count() == 1 and HITLApproval.objects.count() == 1
    again = row_of("r1")
    assert again.approval_id == first.approval_id and again.last_seen_at > first.last_seen_at


def test_a_recommendation_on_a_shared_budget_is_kept_but_not_proposed(google_ads, tenant):
    budget_recommendation(google_ads, campaign_id="111", micros=200_000_000)  # budget 5001, three campaigns
    connected(google_ads, tenant)

    row = row_of("r1")
    assert row.status == Status.NOT_FILED and row.approval is None
    assert "shared by" in row.outcome
    assert HITLApproval.objects.count() == 0


def test_an_approved_recommendation_is_validated_applied_and_read_back(google_ads, tenant, approver):
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = row_of("r1").approval

    approve(approval.pk, actor=approver)
    assert run_execution(approval.pk, max_attempts=5) == "executed"

    validated = [b for b in calls(google_ads, "campaignBudgets:mutate") if b["validateOnly"]]
    assert [op["update"]["amountMicros"] for b in validated for op in b["operations"]] == ["60000000"]
    assert calls(google_ads, "recommendations:apply") == [
        {
            "operations": [
                {
                    "resourceName": "customers/1234567890/recommendations/r1",
                    "campaignBudget": {"newBudgetAmountMicros": "60000000"},
                }
            ],
            "partialFailure": False,
        }
    ]
    assert google_ads.customers["1234567890"].budgets["5002"].amount_micros == 60_000_000
    done = HITLApproval.objects.get(pk=approval.pk)
    assert done.status == "executed"
    assert done.execution_result["detail"] == (
        "Applied the Google Ads recommendation: raise Spring sale daily budget from $40.00 to $60.00 (read back)"
    )
    row = row_of("r1")
    assert row.status == Status.APPLIED and row.apply_sent_at is not None
    assert Campaign.objects.get(pk=row.campaign_id).daily_budget == Decimal("60.00")  # Walker's copy follows
    assert PlatformChange.objects.get(approval_id=approval.pk).after_units == 60_000_000


def test_an_apply_is_sent_once_when_its_answer_was_lost(google_ads, tenant, approver):
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = row_of("r1").approval
    approve(approval.pk, actor=approver)
    # The apply went through on Google, but its answer never reached Walker: the attempt is retried.
    PlatformRecommendation.objects.update(apply_sent_at=approval.requested_at)
    google_ads.customers["1234567890"].recommendations["r1"].applied = True
    google_ads.customers["1234567890"].budgets["5002"].amount_micros = 60_000_000

    assert run_execution(approval.pk, max_attempts=5) == "executed"

    assert calls(google_ads, "recommendations:apply") == []
    assert "nothing was sent again" in HITLApproval.objects.get(pk=approval.pk).execution_result["detail"]
    assert row_of("r1").status == Status.APPLIED


def test_an_apply_google_refuses_when_validating_fails_clearly_and_applies_nothing(google_ads, tenant, approver):
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = row_of("r1").approval
    google_ads.customers["1234567890"].min_daily_budget_micros = 100_000_000  # Google's minimum rose meanwhile

    refused_before_applying(google_ads, approval, approver, "BUDGET_BELOW_PER_DAY_MINIMUM")

    assert google_ads.customers["1234567890"].budgets["5002"].amount_micros == 40_000_000


def test_an_apply_google_refuses_is_final_in_googles_words(google_ads, tenant, approver):
    google_ads.add_recommendation("1234567890", "k1", "TARGET_CPA_OPT_IN", "120", target_cpa_micros=42_500_000)
    connected(google_ads, tenant)
    google_ads.customers["1234567890"].recommendations["k1"].refusal = "CANNOT_APPLY"
    approval = row_of("k1").approval

    approve(approval.pk, actor=approver)
    assert run_execution(approval.pk, max_attempts=5) == "failed"

    error = HITLApproval.objects.get(pk=approval.pk).execution_error
    assert error.startswith("Google Ads refused the change: ") and "CANNOT_APPLY" in error


def test_a_rejected_recommendation_is_dismissed_on_google(google_ads, tenant, approver):
    budget_recommendation(google_ads)
    connection = connected(google_ads, tenant)
    approval = row_of("r1").approval

    reject(approval.pk, actor=approver, reason="Not this month")
    sync(connection)

    assert calls(google_ads, "recommendations:dismiss") == [
        {"operations": [{"resourceName": "customers/1234567890/recommendations/r1"}], "partialFailure": False}
    ]
    row = row_of("r1")
    assert row.status == Status.DISMISSED and row.outcome == "Rejected in Walker and dismissed on Google Ads."
    assert google_ads.customers["1234567890"].recommendations["r1"].dismissed
    assert settle(connection, clients.client_for(connection)) == 0  # dismissed once: nothing more is sent
    assert len(calls(google_ads, "recommendations:dismiss")) == 1


def test_a_recommendation_google_no_longer_offers_is_withdrawn(google_ads, tenant):
    budget_recommendation(google_ads)
    connection = connected(google_ads, tenant)
    approval = row_of("r1").approval
    del google_ads.customers["1234567890"].recommendations["r1"]  # expired on Google

    sync(connection)

    row = row_of("r1")
    assert row.status == Status.GONE and row.outcome == "Google Ads no longer offers this recommendation."
    withdrawn = HITLApproval.objects.get(pk=approval.pk)
    assert withdrawn.status == "cancelled"
    said = [entry.description for entry in withdrawn.history.all()]
    assert "Withdrawn: Google Ads no longer offers this recommendation." in said


def test_an_approved_recommendation_gone_before_it_ran_applies_nothing(google_ads, tenant, approver):
    budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = row_of("r1").approval
    approve(approval.pk, actor=approver)
    del google_ads.customers["1234567890"].recommendations["r1"]

    assert run_execution(approval.pk, max_attempts=5) == "failed"

    assert HITLApproval.objects.get(pk=approval.pk).execution_error == (
        "Google Ads no longer offers this recommendation; nothing was applied"
    )
    assert row_of("r1").status == Status.GONE
    assert calls(google_ads, "recommendations:apply") == []


def test_a_recommendation_changed_since_it_was_proposed_asks_for_a_fresh_approval(google_ads, tenant, approver):
    rec = budget_recommendation(google_ads)
    connected(google_ads, tenant)
    approval = row_of("r1").approval
    approve(approval.pk, actor=approver)
    rec.budget_micros = 70_000_000

    assert run_execution(approval.pk, max_attempts=5) == "failed"

    error = HITLApproval.objects.get(pk=approval.pk).execution_error
    assert error == (
        "Google Ads changed this recommendation since it was proposed (now: raise Spring sale daily budget from "
        "$40.00 to $70.00); ask for a fresh approval"
    )
    assert calls(google_ads, "recommendations:apply") == []
