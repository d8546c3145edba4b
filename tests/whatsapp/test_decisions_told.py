"""Issue 30, point 4, on WhatsApp: a member who asked from their phone hears there what the chat says: who approved,
what they changed, their note, each level approved ("1 of 2 approved"), and a rejection's reason."""

import pytest
from django.test import TestCase

from agents.engines.base import EngineReply
from hitl.models import HITLApproval
from hitl.services.decisions import approve, reject
from tenants.roles import Role
from tests.factories import CampaignFactory, HITLWorkflowFactory, UserFactory, budget_action
from tests.fixtures.whatsapp import inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
MEMBER = "whatsapp:+14155550105"
pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="dana@acme.test", first_name="Dana", last_name="Reyes")


@pytest.fixture
def asked(client, twilio, number, member_phone, engine, tenant) -> HITLApproval:
    """The member asks for $700 a day from their phone; the agent files the request."""
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale")
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "Raise the Summer Sale budget to $700 a day"))
    approval = HITLApproval.objects.get()
    assert approval.conversation.channel == "whatsapp"
    return approval


def to_member(twilio) -> list[str]:
    return [sent["Body"] for sent in twilio.sent if sent["To"] == MEMBER]


def decide(call):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call()


def test_the_member_hears_the_edit_and_the_note_on_whatsapp(twilio, asked, dana):
    before = len(to_member(twilio))
    decide(lambda: approve(asked.pk, actor=dana, notes="Start lower", edits={"action_data": {"daily_budget": "650"}}))
    decided, done = to_member(twilio)[before:]
    assert decided == (
        "Approved by Dana Reyes: Raise Summer Sale daily budget from $500.00 to $650.00.\n"
        "Dana Reyes changed your request: Daily budget $700.00 → $650.00.\n"
        "Note from Dana Reyes: “Start lower”"
    )
    assert done == "Approved and done: Summer Sale daily budget $500.00 -> $650.00"


def test_a_rejection_reaches_the_member_with_its_reason_on_whatsapp(twilio, asked, dana):
    before = len(to_member(twilio))
    decide(lambda: reject(asked.pk, actor=dana, reason="Budget freeze"))
    assert to_member(twilio)[before:] == ["Rejected: Raise Summer Sale daily budget to $700.00. Reason: Budget freeze"]


def test_each_level_approved_reaches_the_member_on_whatsapp(tenant, client, twilio, number, member_phone, engine, dana):
    lee = UserFactory(tenant=tenant, role=Role.APPROVER, email="lee@acme.test", first_name="Lee", last_name="Park")
    HITLWorkflowFactory(
        tenant=tenant,
        approval_levels=[
            {"name": "Approvers", "approvers": {"users": [dana.email]}, "required_approvals": 1},
            {"name": "Leads", "approvers": {"users": [lee.email]}, "required_approvals": 1},
        ],
    )
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale")
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, "Raise the Summer Sale budget to $700 a day"))
    approval = HITLApproval.objects.get()
    before = len(to_member(twilio))
    decide(lambda: approve(approval.pk, actor=dana))
    assert to_member(twilio)[before:] == [
        "1 of 2 approved: Dana Reyes approved “Raise Summer Sale daily budget to $700.00”; "
        "it now waits for the next level."
    ]
    decide(lambda: approve(approval.pk, actor=lee))
    assert to_member(twilio)[-1] == "Approved and done: Summer Sale daily budget $500.00 -> $700.00"
