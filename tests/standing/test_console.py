"""Standing approvals in the console: asked beside Approve on the approval's page, listed (with whether each still
approves) and revoked by their giver or a tenant admin."""

import pytest
from django.urls import reverse

from hitl.models import ApprovalStatus, StandingApproval

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(ask, workflow):
    workflow()
    return ask("550.00")


def decide(client, approval, **form):
    return client.post(reverse("admin:hitl_hitlapproval_decide", args=[approval.pk]), form, follow=True)


def test_the_approval_page_offers_it_beside_approve_with_the_budget_range(waiting, console_as, approver):
    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[waiting.pk])).content.decode()
    assert 'data-testid="standing"' in page and 'name="standing_percent"' in page


def test_approving_with_it_gives_it_and_says_its_bounds(waiting, console_as, approver, ask):
    answer = decide(
        console_as(approver), waiting, decision="approve", standing="1", standing_hours="24", standing_uses="2",
        standing_percent="20",
    )  # fmt: skip
    said = [str(m) for m in answer.context["messages"]]
    assert any(
        m.startswith("The same change may go ahead again: a daily budget between $400.00 and $600.00") for m in said
    )
    grant = StandingApproval.objects.get()
    assert (grant.granted_by, grant.max_uses) == (approver, 2)
    assert ask("580.00").approved_under == grant


@pytest.mark.parametrize(("hours", "why"), [("soon", "must be numbers"), ("0", "lasts from 1 to 168 hours")])
def test_bounds_it_cannot_take_leave_the_approval_approved_and_say_why(waiting, console_as, approver, hours, why):
    answer = decide(
        console_as(approver), waiting, decision="approve", standing="1", standing_hours=hours, standing_uses="2",
        standing_percent="20",
    )  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.status == ApprovalStatus.APPROVED and not StandingApproval.objects.exists()
    assert any(why in str(m) for m in answer.context["messages"])


def test_without_the_box_ticked_nothing_is_given(waiting, console_as, approver):
    decide(console_as(approver), waiting, decision="approve", standing_hours="24", standing_uses="2")
    assert not StandingApproval.objects.exists()


def test_the_list_and_its_revoke_action(waiting, console_as, approver, second_approver, requester):
    decide(
        console_as(approver), waiting, decision="approve", standing="1", standing_hours="24", standing_uses="2",
        standing_percent="20",
    )  # fmt: skip
    grant = StandingApproval.objects.get()
    url = reverse("admin:hitl_standingapproval_changelist")
    listed = console_as(second_approver).get(url + "?state=active").content.decode()
    assert waiting.reference in listed and "0 of 2" in listed
    console_as(second_approver).post(url, {"action": "revoke_selected", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.revoked_at is None  # not theirs, and they are no admin
    console_as(approver).post(url, {"action": "revoke_selected", "_selected_action": [grant.pk]})
    grant.refresh_from_db()
    assert grant.revoked_by == approver
    assert console_as(requester).get(url)["Location"].startswith("/admin/login/")  # a member has no console
