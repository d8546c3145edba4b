"""A request Walker's own automation filed names it as its requester wherever approvers read who asked: a
performance rule ("the rule “High CPA”") and a platform's recommendations ("Google Ads recommendations", never "the
rule “Google Ads recommendations”"), in the queue, on the approval's page and in the API, as an outside agent is
named by its token's name."""

import pytest
from django.urls import reverse
from django.utils import translation

from hitl.models import Automation
from hitl.presentation import requester_name
from tests.factories import HITLApprovalFactory

pytestmark = pytest.mark.django_db

RULE = {"requested_by_rule": "High CPA", "requested_by_automation": Automation.RULE}
RECOMMENDATION = {
    "requested_by_rule": "Google Ads recommendations",
    "requested_by_automation": Automation.RECOMMENDATION,
}


def test_a_rule_and_a_platforms_recommendations_are_named_as_what_they_are(tenant):
    ruled = HITLApprovalFactory(tenant=tenant, **RULE)
    recommended = HITLApprovalFactory(tenant=tenant, **RECOMMENDATION)

    assert requester_name(ruled) == "the rule “High CPA”"
    assert requester_name(recommended) == "Google Ads recommendations"
    with translation.override("es"):
        assert requester_name(ruled) == "la regla «High CPA»"


@pytest.mark.parametrize(
    ("filed", "named"), [(RULE, "the rule “High CPA”"), (RECOMMENDATION, "Google Ads recommendations")]
)
def test_the_approvals_page_and_queue_name_the_automation_that_asked(console_as, approver, tenant, filed, named):
    approval = HITLApprovalFactory(tenant=tenant, **filed)
    client = console_as(approver)

    page = client.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()
    queue = client.get(reverse("admin:hitl_hitlapproval_changelist"), {"queue": "all"}).content.decode()

    assert named in page and named in queue
    assert "the rule “Google Ads" not in page


@pytest.mark.parametrize(
    ("filed", "kind", "name"),
    [(RULE, "rule", "High CPA"), (RECOMMENDATION, "recommendation", "Google Ads recommendations")],
)
def test_the_api_names_the_automation_that_asked(api_as, approver, tenant, filed, kind, name):
    approval = HITLApprovalFactory(tenant=tenant, **filed)
    person = HITLApprovalFactory(tenant=tenant, requested_by=approver)
    client = api_as(approver)

    shown = client.get(f"/api/hitl/approvals/{approval.pk}/").json()
    listed = {row["id"]: row for row in client.get("/api/hitl/approvals/").json()["results"]}

    assert shown["requested_by"] is None
    assert shown["requested_by_automation"] == {"kind": kind, "name": name}
    assert listed[str(approval.pk)]["requested_by_automation"] == {"kind": kind, "name": name}
    assert listed[str(person.pk)]["requested_by_automation"] is None
