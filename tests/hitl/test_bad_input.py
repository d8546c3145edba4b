"""Bad edits and workflow changes are a 4xx with a reason, never a 500, and change nothing (issue 17, point 4)."""

import json

import pytest

from hitl.models import HITLApproval
from tests.api.test_bad_input import post_raw


@pytest.mark.parametrize(
    "edits",
    [
        {"action_data": None},
        {"summary": 5},
        {"summary": ["a", "list"]},
        {"summary": {"a": "dict"}},
        {"summary": "nul \x00 here"},
        {"summary": "lone \ud800 surrogate"},
        {"action_data": {"campaign_name": "nul \x00"}},
        {"estimated_reach": 3_000_000_000},
        {"estimated_reach": "lots"},
        {"estimated_cost": 1e20},
        {"estimated_cost": True},
        {"estimated_cost": [1]},
        "not an object",
    ],
)
def test_bad_edits_while_approving_are_a_400_and_change_nothing(ask, api_as, approver, edits):
    approval = ask()
    body = json.dumps({"edits": edits}, ensure_ascii=True)
    response = post_raw(api_as(approver), f"/api/hitl/approvals/{approval.pk}/approve/", body)
    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"code"} or "edits" in response.json()
    fresh = HITLApproval.objects.get(pk=approval.pk)
    assert (fresh.status, fresh.action_summary, fresh.estimated_cost) == (
        "pending",
        approval.action_summary,
        approval.estimated_cost,
    )


def test_good_edits_still_work_with_a_bounded_summary(ask, api_as, approver):
    approval = ask()
    response = api_as(approver).post(
        f"/api/hitl/approvals/{approval.pk}/approve/",
        {"edits": {"summary": "  Raise Summer Sale to $650/day  ", "estimated_reach": 150_000}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    fresh = HITLApproval.objects.get(pk=approval.pk)
    assert (fresh.action_summary, fresh.estimated_reach) == ("Raise Summer Sale to $650/day", 150_000)


def test_turning_a_second_default_workflow_active_is_a_400(api_as, tenant_admin, workflow):
    workflow(name="Default", is_default=True)
    dormant = workflow(name="Old default", is_default=True, is_active=False)
    response = api_as(tenant_admin).patch(f"/api/hitl/workflows/{dormant.pk}/", {"is_active": True}, format="json")
    assert response.status_code == 400 and "is_default" in response.json()
    dormant.refresh_from_db()
    assert not dormant.is_active
