"""Point 7: simulate_email posts a well-formed inbound parse request to a running server and prints the answer."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hitl.models import HITLApproval
from hitl.services.requests import request_approval
from tests.factories import UserFactory, budget_action


def simulate(live_server, *args) -> str:
    out = StringIO()
    call_command("simulate_email", *args, "--url", live_server.url, "--wait", "10", stdout=out)
    return out.getvalue()


def test_a_command_is_carried_out_and_the_answer_printed(live_server, live_db, tenant, paid_ads, campaign, workflow):
    UserFactory(tenant=tenant, role="approver", email="approver@acme.test")
    workflow(notification_channels=["in_app"])
    requester = UserFactory(tenant=tenant, email="requester@acme.test")
    approval = request_approval(
        tenant=tenant, agent=paid_ads, action=budget_action(campaign, "700.00", estimated_cost=Decimal("6000")),
        requested_by=requester,
    )  # fmt: skip
    printed = simulate(live_server, "--from", "approver@acme.test", f"approve {approval.reference} fine by me")
    assert 'HTTP 200 {"outcome": "command"}' in printed
    assert f"You approved {approval.reference}" in printed and "Answer to an emailed command" in printed
    assert HITLApproval.objects.get(pk=approval.pk).status == "executed"


def test_a_question_gets_the_agents_reply(live_server, live_db, tenant):
    UserFactory(tenant=tenant, email="member@acme.test")
    printed = simulate(live_server, "--from", "member@acme.test", "--subject", "Numbers", "SEO: how are our rankings?")
    assert (
        'HTTP 200 {"outcome": "message"}' in printed
        and "Sent back (Agent reply, console, sent): Re: Numbers" in printed
    )


def test_a_refused_post_is_an_error(live_server, live_db, settings):
    settings.SENDGRID_INBOUND_USER = settings.SENDGRID_INBOUND_PASSWORD = ""  # the server then refuses everything
    with pytest.raises(CommandError, match="refused"):
        call_command("simulate_email", "--from", "x@acme.test", "hi", "--url", live_server.url, stdout=StringIO())
