"""The console's queue filtered by the outside agent that asked, and an approved request whose agent never
reported the outcome flagged as overdue (issue 49, points 1 and 2)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hitl.models import HITLApproval
from tenants.models import AccessLog
from tenants.roles import Role
from tests.action_types.conftest import registered
from tests.approval_requests.conftest import URL, ask, client_of
from tests.factories import UserFactory

QUEUE = "/admin/hitl/hitlapproval/"


def approve(approver_api, filed):
    assert approver_api.post(f"/api/hitl/approvals/{filed['id']}/approve/", {}, format="json").status_code == 200


def test_the_queue_filters_by_the_agent_that_asked(agent, tenant_admin, console_as):
    mine = agent.post(URL, ask(), format="json").json()
    theirs = client_of(tenant_admin, name="Growth bot").post(
        URL, ask(args={"campaign": "B", "amount": 5}), format="json"
    )
    page = console_as(tenant_admin).get(QUEUE, {"queue": "all", "asked_by": "Growth bot"})
    html = page.content.decode()
    assert page.status_code == 200 and "LangGraph budget agent" in html  # offered as a filter
    assert theirs.json()["reference"] in html and mine["reference"] not in html


def test_an_approved_request_with_no_outcome_after_a_day_is_flagged(agent, approver_api, console_as, tenant_admin):
    filed = agent.post(URL, ask(), format="json").json()
    approve(approver_api, filed)
    reported = agent.post(URL, ask(args={"campaign": "Reported", "amount": 5}), format="json").json()
    approve(approver_api, reported)
    agent.post(f"{URL}{reported['id']}/result/", {"outcome": "succeeded", "detail": "Done."}, format="json")
    console = console_as(tenant_admin)

    assert filed["reference"] not in console.get(QUEUE, {"outcome": "overdue"}).content.decode()  # not yet due
    yesterday = timezone.now() - timedelta(hours=25)
    HITLApproval.objects.filter(pk__in=[filed["id"], reported["id"]]).update(approved_at=yesterday)
    overdue = console.get(QUEUE, {"outcome": "overdue"}).content.decode()
    assert filed["reference"] in overdue and reported["reference"] not in overdue
    page = console.get(f"{QUEUE}{filed['id']}/change/").content.decode()
    assert "LangGraph budget agent has not reported the outcome" in page
    assert "has not reported" not in console.get(f"{QUEUE}{reported['id']}/change/").content.decode()


@pytest.fixture
def typed(tenant, approver, tenant_admin):
    """A type whose editable fields are a choice, a yes/no, a bounded whole number and a bounded decimal."""
    schema = {
        "type": "object",
        "properties": {
            "campaign": {"type": "string"},
            "bid_strategy": {"enum": ["manual", "target_cpa", "max_clicks"]},
            "paused": {"type": "boolean"},
            "audience": {"type": "integer", "minimum": 0, "maximum": 100000},
            "bid": {"type": "number", "minimum": 0.01},
            "note": {"type": "string", "maxLength": 40},
        },
        "required": ["campaign"],
        "additionalProperties": False,
    }
    editable = ["bid_strategy", "paused", "audience", "bid", "note"]
    registered(tenant, key="tune_bids", names={"en": "Tune bids"}, args_schema=schema, editable_fields=editable,
               money_field="", currency="", reach_field="audience")  # fmt: skip
    args = {"campaign": "Brand", "bid_strategy": "manual", "paused": False, "audience": 500, "bid": 1.5, "note": "x"}
    filed = client_of(tenant_admin).post(URL, ask(action="tune_bids", args=args), format="json")
    assert filed.status_code == 202, filed.content[:300]
    return filed.json()


def test_the_approval_page_types_each_editable_field_as_its_schema_says(typed, console_as, approver):
    page = console_as(approver).get(f"{QUEUE}{typed['id']}/change/").content.decode()
    assert "Tune bids" in page  # the type's name, not its key
    assert '<option value="target_cpa">' in page and '<option value="manual" selected>' in page
    assert '<option value="false" selected>' in page
    assert 'name="edit_audience" type="number" value="500" step="1" min="0" max="100000"' in page
    assert 'name="edit_bid" type="number" value="1.5" step="any" min="0.01"' in page
    assert 'name="edit_note" value="x" maxlength="40"' in page


def test_an_edit_in_the_console_is_stored_as_the_schemas_types(typed, console_as, approver):
    form = {"decision": "approve", "edit_bid_strategy": "target_cpa", "edit_paused": "true", "edit_audience": "800",
            "edit_bid": "2.25", "edit_note": "x"}  # fmt: skip
    console_as(approver).post(f"{QUEUE}{typed['id']}/decide/", form)
    approval = HITLApproval.objects.get(pk=typed["id"])
    assert approval.status == "approved"
    assert approval.action_data == {
        "campaign": "Brand", "bid_strategy": "target_cpa", "paused": True, "audience": 800, "bid": 2.25, "note": "x",
    }  # fmt: skip


def test_an_edit_outside_the_schema_is_refused_and_changes_nothing(typed, console_as, approver):
    response = console_as(approver).post(
        f"{QUEUE}{typed['id']}/decide/", {"decision": "approve", "edit_audience": "-5"}, follow=True
    )
    said = " ".join(str(message) for message in response.context["messages"])
    assert "audience" in said and "0" in said
    approval = HITLApproval.objects.get(pk=typed["id"])
    assert approval.status == "pending" and approval.action_data["audience"] == 500


def test_personal_data_in_args_is_masked_everywhere_but_a_recorded_reveal(agent, console_as, approver, tenant):
    compliance = UserFactory(tenant=tenant, role=Role.COMPLIANCE, email="cora@acme.test")
    args = {"campaign": "Win back pat@example.com", "amount": "700.00"}
    filed = agent.post(URL, ask(args=args), format="json").json()
    approval = HITLApproval.objects.get(pk=filed["id"])
    assert "pat@example.com" not in approval.action_summary  # the queue's, the emails' and Slack's words
    page = f"{QUEUE}{filed['id']}/change/"

    shown = console_as(approver).get(page).content.decode()
    assert "pat@example.com" not in shown and "masked for your role" in shown
    reviewer = console_as(compliance)
    assert "Personal data in the args is masked." in reviewer.get(page).content.decode()
    reveal = reverse("admin:hitl_hitlapproval_reveal", args=[filed["id"]])
    revealed = reviewer.post(reveal, {"reason": "Customer asked what we hold"}, follow=True).content.decode()
    assert "Win back pat@example.com" in revealed
    log = AccessLog.objects.get(action="pii_accessed")
    assert (log.actor, log.sensitivity, log.object_id) == (compliance, "high", filed["id"])
    assert log.reason == "Customer asked what we hold"
    assert "pat@example.com" not in reviewer.get(page).content.decode()  # a reveal shows the page once
