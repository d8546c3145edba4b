"""Point 5: approve, reject, brief and naming an agent by email; refused commands change nothing."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from briefs.models import DailyBrief
from briefs.services import send_due_briefs
from hitl.models import HITLApproval, HITLDecision
from tests.email.test_inbound import inbound
from tests.factories import EmailPreferenceFactory


@pytest.fixture
def approval(ask, workflow):
    workflow(notification_channels=["in_app"])
    return ask()


def answer(sendgrid) -> str:
    (mail,) = sendgrid.mails
    return mail["content"][0]["value"]


def decisions(approval):
    return HITLDecision.objects.filter(approval=approval)


def test_an_approver_approves_with_notes(post_email, approval, approver, sendgrid):
    response = post_email(sender=approver.email, text=f"Approve {approval.reference} looks good\n\n> quoted")
    assert response.json() == {"outcome": "command"}
    approval.refresh_from_db()
    assert approval.status == "executed"  # approved, then carried out by the worker
    decision = decisions(approval).get()
    assert (decision.approver, decision.via, decision.notes) == (approver, "email", "looks good")
    assert f"You approved {approval.reference}" in answer(sendgrid)
    assert not inbound().exists()  # a command is not a message to an agent


def test_an_approver_rejects_with_a_reason(post_email, approval, approver, sendgrid):
    post_email(sender=approver.email, text=f"reject {approval.reference} too expensive this month")
    approval.refresh_from_db()
    assert approval.status == "rejected" and decisions(approval).get().notes == "too expensive this month"
    assert f"You rejected {approval.reference}" in answer(sendgrid)


def test_a_rejection_without_a_reason_changes_nothing(post_email, approval, approver, sendgrid):
    post_email(sender=approver.email, text=f"reject {approval.reference}")
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending" and not decisions(approval).exists()
    assert "needs a reason" in answer(sendgrid)


@pytest.mark.slow
@pytest.mark.parametrize(
    "who, expected",
    [
        ("colleague", "No approval"),  # a member of the same tenant does not see others' approvals
        ("requester", "own request"),  # nobody decides their own request
        ("outsider", "No approval"),  # another tenant: as if it did not exist
    ],
)
def test_someone_who_may_not_decide_gets_a_clear_answer_and_nothing_changes(
    post_email, approval, sendgrid, request, who, expected
):
    person = request.getfixturevalue(who)
    post_email(sender=person.email, text=f"approve {approval.reference}")
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending" and not decisions(approval).exists()
    assert expected in answer(sendgrid)


def test_an_approval_already_decided_is_not_decided_again(post_email, approval, approver, second_approver, sendgrid):
    post_email(sender=approver.email, text=f"reject {approval.reference} no")
    post_email(sender=second_approver.email, text=f"approve {approval.reference}", headers={"Message-ID": "<m2@x>"})
    assert HITLApproval.objects.get(pk=approval.pk).status == "rejected" and decisions(approval).count() == 1
    assert "already rejected; nothing changed" in sendgrid.mails[1]["content"][0]["value"]


def test_a_command_whose_sender_is_not_verified_changes_nothing(post_email, approval, approver, sendgrid):
    post_email(sender=approver.email, text=f"approve {approval.reference}", spf="softfail")
    assert HITLApproval.objects.get(pk=approval.pk).status == "pending"
    assert "could not verify" in answer(sendgrid)


def test_dkim_for_the_senders_domain_verifies_it(post_email, approval, approver):
    post_email(sender=approver.email, text=f"approve {approval.reference}", spf="none", dkim="{@acme.test : pass}")
    assert HITLApproval.objects.get(pk=approval.pk).status == "executed"


def test_a_retried_command_is_carried_out_and_answered_once(post_email, approval, approver, second_approver, sendgrid):
    for _ in range(2):
        post_email(sender=approver.email, text=f"approve {approval.reference}")
    assert decisions(approval).count() == 1 and len(sendgrid.mails) == 1


@time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False)
def test_brief_sends_todays_brief_now_and_it_counts_as_the_days_brief(post_email, requester, sendgrid):
    EmailPreferenceFactory(user=requester, timezone="Europe/Paris", delivery_time=time(11, 30))  # 10:30 UTC
    assert post_email(sender=requester.email, text="Brief").json() == {"outcome": "command"}
    (mail,) = sendgrid.mails  # the brief is the answer: no second email saying so
    assert mail["subject"].startswith("Your Walker brief for ") and mail["personalizations"][0]["to"][0]["email"] == (
        requester.email
    )
    brief = DailyBrief.objects.get(user=requester)
    assert (brief.status, brief.detail) == ("sent", "asked for by reply") and not inbound().exists()
    assert brief.email.email_type == "daily_brief"
    assert send_due_briefs(datetime(2026, 11, 24, 10, 35, tzinfo=UTC)) == []  # the day's brief has gone

    post_email(sender=requester.email, text="brief", headers={"Message-ID": "<again@x>"})
    assert len(sendgrid.mails) == 2 and "Today's brief went out at" in sendgrid.mails[1]["content"][0]["value"]
    assert DailyBrief.objects.filter(user=requester).count() == 1


@pytest.mark.parametrize(
    "name, agent", [("SEO", "seo"), ("paid ads", "paid_ads"), ("Audience Intelligence", "audience")]
)
def test_naming_an_agent_asks_that_agent(post_email, requester, agents, name, agent):
    post_email(sender=requester.email, text=f"{name}: how are we doing?")
    message = inbound().get()
    assert message.text == "how are we doing?" and message.metadata["requested_agent"] == agent
    assert message.conversation.agent.agent_type == agent
