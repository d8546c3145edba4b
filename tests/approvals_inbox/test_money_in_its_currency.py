"""One approval's money in its currency (issue 46, point 6): a request for a yen campaign costs yen wherever it is
shown, on its console page, in the queue, in the email, WhatsApp and Slack asks and in what the requester is told
of an edit; never as dollars. A request that names no currency stays in dollars."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from agents.action_specs.campaigns import with_currency
from hitl import presentation
from hitl.models import HITLApproval
from hitl.notifying import told
from hitl.services.requests import request_approval
from tests.factories import CampaignFactory, budget_action

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


@pytest.fixture
def yen_campaign(tenant):
    return CampaignFactory(tenant=tenant, name="Tokyo Launch", currency="JPY", daily_budget=Decimal("40000"))


@pytest.fixture
def yen_ask(tenant, paid_ads, requester, yen_campaign):
    """A request to raise the yen campaign to ¥43,000 a day, ¥90,000 more over 30 days, with the campaign's currency
    recorded as the gateway records it (agents.action_specs.campaigns.with_currency)."""

    def file() -> HITLApproval:
        action = budget_action(
            yen_campaign, "43000", estimated_cost=Decimal("90000"), summary="Raise Tokyo Launch daily budget to ¥43,000"
        )
        action.action_data = with_currency(tenant, action.action_data)
        return request_approval(tenant=tenant, agent=paid_ads, action=action, requested_by=requester)

    return file


def test_a_yen_request_records_its_currency(yen_ask):
    approval = yen_ask()
    assert approval.action_data["currency"] == "JPY"
    assert approval.currency == "JPY"


def test_an_approval_without_a_currency_is_in_dollars(ask):
    approval = ask()
    HITLApproval.objects.filter(pk=approval.pk).update(action_data={"daily_budget": "700.00"})
    approval.refresh_from_db()
    assert approval.currency == "USD"
    assert presentation.cost_in_money(approval) == "$6,000.00 over 30 days"


def test_the_ask_gives_a_yen_cost_in_yen(yen_ask):
    assert presentation.the_ask(yen_ask()).cost == "¥90,000 over 30 days"


def test_the_console_page_shows_the_yen_cost_in_yen(console_as, approver, yen_ask):
    approval = yen_ask()
    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()
    assert "¥90,000 over 30 days" in page
    assert "$90,000" not in page and "$43,000" not in page and "$40,000" not in page


def test_the_queue_shows_the_yen_cost_in_yen(console_as, approver, yen_ask, ask):
    approval, dollars = yen_ask(), ask()
    html = console_as(approver).get(QUEUE).content.decode()
    row = html[html.index(f">{approval.reference}<") :]
    row = row[: row.index("</tr>")]
    assert "¥90,000" in row and "$" not in row
    dollar_row = html[html.index(f">{dollars.reference}<") :]
    assert "$6,000" in dollar_row[: dollar_row.index("</tr>")]


def test_the_approval_email_gives_the_yen_cost_in_yen(yen_ask, workflow, approver, run_on_commit):
    workflow(notification_channels=["email"])
    with run_on_commit():
        yen_ask()
    [email] = mail.outbox
    for body in (email.body, email.alternatives[0][0]):
        assert "Cost: ¥90,000 over 30 days" in body
        assert "$90,000" not in body


def test_an_edit_told_to_the_requester_is_in_yen(yen_ask):
    approval = yen_ask()
    words = told.changed(approval, {"estimated_cost": ["90000", "60000"], "daily_budget": ["43000", "42000"]})
    assert "¥90,000 → ¥60,000" in words and "¥43,000 → ¥42,000" in words and "$" not in words


def test_the_bulk_confirmation_gives_the_yen_cost_in_yen(console_as, approver, yen_ask):
    approval = yen_ask()
    page = (
        console_as(approver)
        .post(QUEUE, {"action": "approve_selected", "_selected_action": [str(approval.pk)]})
        .content.decode()
    )
    assert "¥90,000" in page and "$90,000" not in page


def test_the_queue_export_names_each_costs_currency(api_as, approver, yen_ask, ask):
    import csv
    import io

    yen, dollars = yen_ask(), ask()
    response = api_as(approver).get("/api/hitl/approvals/export/")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert (rows[yen.reference]["estimated_cost"], rows[yen.reference]["currency"]) == ("90000.00", "JPY")
    assert (rows[dollars.reference]["estimated_cost"], rows[dollars.reference]["currency"]) == ("6000.00", "USD")
