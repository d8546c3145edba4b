"""Step-up judged on what is decided (issue 46, point 1): an approver who edits a request below the tenant's level into
one at it must show a fresh second factor, on every door that takes edits (the API by token or session, the
console), and so must whoever decides it after an edit took it back down: an edit never lowers the bar the filed
request set. Refused, nothing changes: the action stays as filed and the history records the ask."""

from decimal import Decimal

import pytest

from hitl.errors import StepUpRequired
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.verbs import act
from tenants.privacy.audit import Origin
from tests.factories import spend_history
from tests.step_up.conftest import place_level
from tests.step_up.test_decision_doors import asked, console_decide, token_client

Event = HITLApprovalHistory.Event
RISKIER = {"action_data": {"daily_budget": "45000.00"}, "estimated_reach": 2_000_000}


@pytest.fixture
def modest(ask, tenant, campaign):
    """A $510 request against $500 a day of spend: below the tenant's step-up level, which is `high`."""
    spend_history(campaign, days=30, spend="500.00")
    filed = ask("510.00", cost="300", reach=1000, confidence=0.95)
    assert filed.risk_level in {"low", "medium"}
    place_level(tenant, "high")
    return filed


def as_stored(approval) -> HITLApproval:
    return HITLApproval.objects.get(pk=approval.pk)


def unchanged(approval) -> bool:
    stored = as_stored(approval)
    return (
        stored.status == "pending"
        and stored.action_data["daily_budget"] == "510.00"
        and stored.risk_level == approval.risk_level
        and not stored.decisions.exists()
        and not stored.history.filter(event_type=Event.EDITED).exists()
    )


def api_approve_with(client, approval, edits):
    return client.post(f"/api/hitl/approvals/{approval.pk}/approve/", {"edits": edits}, content_type="application/json")


def test_a_token_cannot_edit_a_request_into_the_level(modest, approver):
    response = api_approve_with(token_client(approver), modest, RISKIER)
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"
    assert unchanged(modest)
    [entry] = asked(modest)
    assert entry.metadata["verb"] == "approve" and entry.actor == approver


def test_a_token_still_edits_within_the_level(modest, approver):
    response = api_approve_with(token_client(approver), modest, {"action_data": {"daily_budget": "505.00"}})
    assert response.status_code == 200, response.json()
    assert as_stored(modest).action_data["daily_budget"] == "505.00" and not asked(modest)


@pytest.mark.parametrize("state", ["stale", "trusted"])
def test_a_session_without_a_fresh_factor_cannot_edit_into_the_level(modest, approver, session_as, state):
    response = api_approve_with(session_as(approver, state), modest, RISKIER)
    assert response.status_code == 403 and response.json()["code"] == "step_up_required"
    assert unchanged(modest) and len(asked(modest)) == 1


def test_a_fresh_factor_edits_into_the_level_and_the_history_names_it(modest, approver, session_as):
    response = api_approve_with(session_as(approver, "fresh"), modest, RISKIER)
    assert response.status_code == 200, response.json()
    stored = as_stored(modest)
    assert stored.risk_level in {"high", "critical"} and stored.action_data["daily_budget"] == "45000.00"
    assert not asked(modest)


def test_the_console_holds_an_edit_into_the_level_for_the_factor(modest, approver, session_as):
    response = console_decide(session_as(approver, "trusted"), modest, **{"edit_daily_budget": "45000.00"})
    assert response.status_code == 302 and "/accounts/2fa/reauthenticate/" in response["Location"]
    assert unchanged(modest) and len(asked(modest)) == 1


def test_the_service_itself_refuses_an_edit_into_the_level_without_a_factor(modest, approver):
    """The gate inside the decision's transaction: a door that skipped the check (or raced an edit) still stops."""
    with pytest.raises(StepUpRequired):
        approve(modest.pk, actor=approver, edits=RISKIER, origin=Origin(via="api"))
    assert unchanged(modest)


def test_an_edit_down_does_not_lower_the_bar_the_filed_request_set(ask, tenant, approver, second_approver, workflow):
    """Filed high, edited down to low by a first approver who showed a factor: the next level still asks one."""
    workflow(
        approval_levels=[
            {"name": "First", "approvers": {"users": [approver.email]}, "required_approvals": 1},
            {"name": "Second", "approvers": {"users": [second_approver.email]}, "required_approvals": 1},
        ]
    )
    filed = ask("9000.00", cost="60000", reach=2_000_000, confidence=0.5)
    assert filed.risk_level in {"high", "critical"}
    place_level(tenant, "high")
    with pytest.raises(StepUpRequired):  # editing it down is deciding it: the filed level asks for a factor
        act("approve", filed.pk, actor=approver, origin=Origin(via="api"), edits={"estimated_cost": "1"})
    HITLApproval.objects.filter(pk=filed.pk).update(risk_level="low", estimated_cost=Decimal("1"))
    with pytest.raises(StepUpRequired):
        act("approve", filed.pk, actor=approver, origin=Origin(via="api"))
    assert as_stored(filed).status == "pending"


def test_the_reauthentication_page_offers_only_second_factors(modest, approver, session_as):
    client = session_as(approver, "stale")
    page = client.get("/accounts/2fa/reauthenticate/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="code"' in text
    assert "/accounts/reauthenticate/" not in text and "Use your password" not in text
