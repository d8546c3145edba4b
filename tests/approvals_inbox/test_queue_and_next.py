"""The approval queue as an inbox: who asked, how long ago, their words (masked) and the cost in the list; "Approve
and next" / "Reject and next" on the page; the page's workflow and assignee read as the list and the timeline do."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from hitl.models import HITLApproval
from tests.factories import CampaignFactory, UserFactory

QUEUE = reverse("admin:hitl_hitlapproval_changelist")


def page(approval):
    return reverse("admin:hitl_hitlapproval_change", args=[approval.pk])


def decide(approval, then_next=True):
    url = reverse("admin:hitl_hitlapproval_decide", args=[approval.pk])
    return url + "?then=next" if then_next else url


def cells(html: str, approval) -> str:
    """The list row of `approval` (from its reference to the row's end)."""
    start = html.index(f">{approval.reference}<")
    return html[start : html.index("</tr>", start)]


def shown(html: str, label: str) -> str:
    """A read-only field's value on the approval page, by its label."""
    match = re.search(rf">{label}</label>\s*</div>\s*<div[^>]*>\s*<div class=\"readonly[^>]*>(.*?)</div>", html, re.S)
    return match.group(1).strip() if match else ""


def test_the_list_says_who_asked_how_long_ago_their_words_and_the_cost(console_as, approver, requester, asked):
    requester.first_name, requester.last_name = "Dana", "Reyes"
    requester.save()
    approval = asked("Raise the Summer Sale budget to $800 a day, call me on +1 415 555 0199")
    HITLApproval.objects.filter(pk=approval.pk).update(requested_at=timezone.now() - timedelta(hours=3))
    html = console_as(approver).get(QUEUE).content.decode()
    row = cells(html, approval)
    assert "Dana Reyes" in row  # a colleague's name, not their address
    assert "Raise the Summer Sale budget to $800 a day" in row
    assert "415 555" not in row and "[phone]" in row  # the words masked where they hold personal data
    assert "3\xa0hours" in row or "3 hours" in row
    assert "$9,000" in row  # 300 more a day over 30 days, in money
    for column in ("column-requester", "column-words", "column-age", "column-cost"):
        assert column in html, column


def test_a_requester_without_a_name_shows_masked_and_a_request_from_the_api_has_no_words(
    console_as, approver, tenant, ask
):
    nameless = UserFactory(tenant=tenant, role="member", first_name="", last_name="", email="pat.q@acme.test")
    approval = ask(by=nameless)
    row = cells(console_as(approver).get(QUEUE).content.decode(), approval)
    assert "pat.q@acme.test" not in row and "@acme.test" in row
    assert "—" in row  # filed by the API: no message to quote


def test_the_list_shows_only_the_viewers_tenant(console_as, approver, ask, other_tenant, paid_ads):
    from hitl.services.requests import request_approval
    from tests.factories import budget_action

    ours = ask()
    stranger = UserFactory(tenant=other_tenant, role="member", first_name="Globex", last_name="Person")
    theirs = request_approval(
        tenant=other_tenant,
        agent=paid_ads,
        action=budget_action(CampaignFactory(tenant=other_tenant, name="Globex Promo"), "900.00"),
        requested_by=stranger,
    )
    html = console_as(approver).get(QUEUE + "?queue=all").content.decode()
    assert ours.reference in html
    assert theirs.reference not in html and "Globex Person" not in html


def test_approve_and_next_opens_the_most_urgent_other_request_waiting_for_me(console_as, approver, ask, campaign):
    first = ask()
    later = ask("800.00", of=CampaignFactory(tenant=campaign.tenant, name="Later Sale"))
    sooner = ask("650.00", of=CampaignFactory(tenant=campaign.tenant, name="Sooner Sale"))
    HITLApproval.objects.filter(pk=sooner.pk).update(sla_deadline=timezone.now() + timedelta(minutes=5))
    HITLApproval.objects.filter(pk=later.pk).update(sla_deadline=timezone.now() + timedelta(hours=5))
    client = console_as(approver)

    response = client.post(decide(first), {"decision": "approve", "notes": ""})
    assert response.status_code == 302 and response["Location"] == page(sooner)
    first.refresh_from_db()
    assert first.status == "approved"

    response = client.post(decide(sooner), {"decision": "reject", "reason": "Too much"})
    assert response["Location"] == page(later)
    sooner.refresh_from_db()
    assert sooner.status == "rejected"

    response = client.post(decide(later), {"decision": "approve"})
    assert response["Location"] == QUEUE  # none left: back to the queue, saying so
    assert "Nothing else waits for your decision." in [str(m) for m in get_messages(response.wsgi_request)]


def test_next_skips_what_the_viewer_may_not_decide(console_as, approver, tenant, ask, campaign, workflow):
    mine = ask()
    own = ask("800.00", by=approver, of=CampaignFactory(tenant=tenant, name="Own Sale"))  # nobody decides their own
    decided = ask("900.00", of=CampaignFactory(tenant=tenant, name="Decided Sale"))
    HITLApproval.objects.filter(pk__in=[own.pk, decided.pk]).update(sla_deadline=timezone.now())
    from hitl.services.decisions import reject

    other_approver = UserFactory(tenant=tenant, role="approver")
    reject(decided.pk, actor=other_approver, reason="No")
    response = console_as(approver).post(decide(mine), {"decision": "approve"})
    assert response["Location"] == QUEUE


def test_a_refused_decision_stays_on_its_page(console_as, approver, ask):
    approval = ask()
    response = console_as(approver).post(decide(approval), {"decision": "reject", "reason": ""})
    assert response["Location"] == page(approval)  # a rejection needs a reason: nothing decided, no "next"


def test_the_page_names_the_workflow_and_who_it_waits_for_as_the_list_does(console_as, approver, ask):
    approval = ask()
    client = console_as(approver)
    html = client.get(page(approval)).content.decode()
    assert shown(html, "Workflow") == "Walker default"  # the built-in workflow has no row: its name is in the snapshot
    row = cells(client.get(QUEUE).content.decode(), approval)
    assert "Approvers" in row  # the level's name, as the timeline's "Waiting for Approvers (level 1)"
    assert shown(html, "Assigned to") == "Approvers"
    assert "Waiting for Approvers (level 1)" in html


@pytest.mark.parametrize("button", ["approve-next", "reject-next", "respond"])
def test_the_page_offers_the_next_buttons_and_respond_to_deciders_only(console_as, approver, tenant, asked, button):
    approval = asked("Raise the Summer Sale budget to $800 a day")
    assert f'data-testid="{button}"' in console_as(approver).get(page(approval)).content.decode()
    compliance = UserFactory(tenant=tenant, role="compliance")
    assert f'data-testid="{button}"' not in console_as(compliance).get(page(approval)).content.decode()
