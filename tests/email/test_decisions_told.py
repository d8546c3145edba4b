"""Issue 30, point 4, by email: a member who asked by email hears there what the chat says: who approved, what they
changed, their note, each level approved ("1 of 2 approved"), and a rejection's reason."""

import pytest
from django.test import TestCase

from agents.engines.base import EngineReply
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from tenants.roles import Role
from tests.factories import HITLWorkflowFactory, UserFactory, budget_action

ASK = "Raise the Summer Sale budget to $700 a day"


@pytest.fixture
def dana(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="dana@acme.test", first_name="Dana", last_name="Reyes")


@pytest.fixture
def asked(post_email, sendgrid, engine, requester, campaign):
    """The member asks by email; the agent files the request."""
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    post_email(sender=requester.email, text=ASK, subject="Summer Sale")
    approval = HITLApproval.objects.get()
    assert approval.conversation.channel == "email"
    return approval


def texts_to(sendgrid, person) -> list[str]:
    """The plain text of each email sent to `person`."""
    return [
        next(part["value"] for part in mail["content"] if part["type"] == "text/plain")
        for mail in sendgrid.mails
        if mail["personalizations"][0]["to"] == [{"email": person.email}]
    ]


def decide(call):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call()


def test_the_member_hears_the_edit_and_the_note_by_email(sendgrid, asked, requester, dana):
    before = len(texts_to(sendgrid, requester))
    decide(lambda: approve(asked.pk, actor=dana, notes="Start lower", edits={"action_data": {"daily_budget": "650"}}))
    decided, done = texts_to(sendgrid, requester)[before:]
    assert (
        "Approved by Dana Reyes: Raise Summer Sale daily budget from $500.00 to $650.00.\n"
        "Dana Reyes changed your request: Daily budget $700.00 → $650.00.\n"
        "Note from Dana Reyes: “Start lower”"
    ) in decided
    assert "Approved and done: Summer Sale daily budget $500.00 -> $650.00" in done
    assert "dana@acme.test" not in decided + done


def test_a_rejection_reaches_the_member_with_its_reason_by_email(sendgrid, asked, requester, dana):
    before = len(texts_to(sendgrid, requester))
    decide(lambda: reject(asked.pk, actor=dana, reason="Budget freeze"))
    (rejected,) = texts_to(sendgrid, requester)[before:]
    assert "Rejected: Raise Summer Sale daily budget to $700.00. Reason: Budget freeze" in rejected


def test_each_level_approved_reaches_the_member_by_email(
    tenant, post_email, sendgrid, engine, requester, campaign, dana
):
    lee = UserFactory(tenant=tenant, role=Role.APPROVER, email="lee@acme.test", first_name="Lee", last_name="Park")
    HITLWorkflowFactory(
        tenant=tenant,
        approval_levels=[
            {"name": "Approvers", "approvers": {"users": [dana.email]}, "required_approvals": 1},
            {"name": "Leads", "approvers": {"users": [lee.email]}, "required_approvals": 1},
        ],
    )
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    post_email(sender=requester.email, text=ASK, subject="Summer Sale")
    approval = HITLApproval.objects.get()
    before = len(texts_to(sendgrid, requester))
    decide(lambda: approve(approval.pk, actor=dana))
    (progress,) = texts_to(sendgrid, requester)[before:]
    assert (
        "1 of 2 approved: Dana Reyes approved “Raise Summer Sale daily budget to $700.00”; "
        "it now waits for the next level."
    ) in progress
    decide(lambda: approve(approval.pk, actor=lee))
    assert "Approved and done: Summer Sale daily budget $500.00 -> $700.00" in texts_to(sendgrid, requester)[-1]
