"""Keyword and bidding recommendations are validated by Google before they are applied (issue 51, point 2): Google's
`recommendations:apply` has no `validateOnly`, so the mutate that applying one amounts to is sent with it —
`adGroupCriteria:mutate` creating the keyword, `campaigns:mutate` setting the bidding target — as a budget's is
through `campaignBudgets:mutate`. A refusal there ends the execution in Google's words, and nothing is applied."""

import pytest

from adplatforms.recommendations.models import PlatformRecommendation
from hitl.models import HITLApproval
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from tests.recommendations.helpers import US, calls, connected, refused_before_applying

pytestmark = pytest.mark.django_db

KEYWORD = {"keyword": "spring boots", "match_type": "PHRASE", "ad_group_id": "77"}


def proposed(fake, tenant, kind, **fields) -> HITLApproval:
    fake.add_recommendation(US, "k1", kind, "120", **fields)
    connected(fake, tenant)
    return PlatformRecommendation.objects.get().approval


def approved_and_run(fake, tenant, approver, kind, **fields) -> HITLApproval:
    approval = proposed(fake, tenant, kind, **fields)
    approve(approval.pk, actor=approver)
    run_execution(approval.pk, max_attempts=5)
    return HITLApproval.objects.get(pk=approval.pk)


def validated_then_applied(fake, method) -> list:
    """The request paths in the order sent, validation and apply only."""
    return [r.path.rsplit("/", 1)[-1] for r in fake.ads_requests() if r.path.endswith((method, ":apply"))]


def test_a_keyword_is_validated_as_its_ad_group_criterion_then_applied(google_ads, tenant, approver):
    done = approved_and_run(google_ads, tenant, approver, "KEYWORD", **KEYWORD)

    assert done.status == "executed", done.execution_error
    assert calls(google_ads, "adGroupCriteria:mutate") == [
        {
            "operations": [
                {
                    "create": {
                        "adGroup": f"customers/{US}/adGroups/77",
                        "status": "ENABLED",
                        "keyword": {"text": "spring boots", "matchType": "PHRASE"},
                    }
                }
            ],
            "validateOnly": True,
        }
    ]
    assert validated_then_applied(google_ads, "adGroupCriteria:mutate") == [
        "adGroupCriteria:mutate", "recommendations:apply"
    ]  # fmt: skip
    assert google_ads.customers[US].keywords == [("77", "spring boots", "PHRASE")]  # the apply's, not the check's


@pytest.mark.parametrize(
    ("kind", "fields", "update", "mask"),
    [
        ("TARGET_CPA_OPT_IN", {"target_cpa_micros": 42_500_000}, {"targetCpa": {"targetCpaMicros": "42500000"}},
         "target_cpa.target_cpa_micros"),
        ("TARGET_ROAS_OPT_IN", {"target_roas": 3.5}, {"targetRoas": {"targetRoas": 3.5}}, "target_roas.target_roas"),
    ],
)  # fmt: skip
def test_a_bidding_target_is_validated_on_the_campaign_then_applied(
    google_ads, tenant, approver, kind, fields, update, mask
):
    done = approved_and_run(google_ads, tenant, approver, kind, **fields)

    assert done.status == "executed", done.execution_error
    assert calls(google_ads, "campaigns:mutate") == [
        {
            "operations": [{"update": {"resourceName": f"customers/{US}/campaigns/120", **update}, "updateMask": mask}],
            "validateOnly": True,
        }
    ]
    assert validated_then_applied(google_ads, "campaigns:mutate") == ["campaigns:mutate", "recommendations:apply"]


def test_a_keyword_whose_ad_group_is_gone_is_refused_and_nothing_applied(google_ads, tenant, approver):
    approval = proposed(google_ads, tenant, "KEYWORD", **KEYWORD)
    del google_ads.customers[US].ad_groups["77"]  # removed in the web interface after the proposal

    refused_before_applying(google_ads, approval, approver, "RESOURCE_NOT_FOUND")

    assert google_ads.customers[US].keywords == []


def test_a_bidding_target_google_refuses_to_validate_is_final_and_nothing_applied(google_ads, tenant, approver):
    google_ads.customers[US].campaigns["120"].bidding_refusal = "BIDDING_STRATEGY_TRANSITION_NOT_ALLOWED"
    approval = proposed(google_ads, tenant, "TARGET_CPA_OPT_IN", target_cpa_micros=42_500_000)

    refused_before_applying(google_ads, approval, approver, "BIDDING_STRATEGY_TRANSITION_NOT_ALLOWED")

    assert google_ads.customers[US].campaigns["120"].target_cpa_micros is None
