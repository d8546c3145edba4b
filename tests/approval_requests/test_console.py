"""The console's queue filtered by the outside agent that asked, and an approved request whose agent never
reported the outcome flagged as overdue (issue 49, points 1 and 2)."""

from datetime import timedelta

from django.utils import timezone

from hitl.models import HITLApproval
from tests.approval_requests.conftest import URL, ask, client_of

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
