"""Approvals by reply: the same HITL services, checks, levels and audit as the admin, by the verified phone."""

from decimal import Decimal

import pytest
from django.test import TestCase

from agents.models import AIAgent
from conversations.models import Message
from hitl.models import HITLDecision, HITLNotification
from hitl.services.requests import request_approval
from tests.factories import (
    CampaignFactory,
    ConversationFactory,
    HITLWorkflowFactory,
    PhoneFactory,
    UserFactory,
    budget_action,
)
from tests.fixtures.whatsapp import inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
APPROVER_PHONE = "+14155550102"
pytestmark = pytest.mark.django_db


def file_request(tenant, requester, approver, **workflow_rules):
    """A budget request under a workflow that notifies on WhatsApp; the approver has a verified phone."""
    HITLWorkflowFactory(tenant=tenant, notification_channels=["whatsapp"], **workflow_rules)
    PhoneFactory(user=approver, phone_number=APPROVER_PHONE, is_primary=True)
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return request_approval(
            tenant=tenant, agent=agent, action=budget_action(campaign, "700.00"), requested_by=requester
        )


@pytest.fixture
def approval(tenant, requester, approver, number):
    return file_request(tenant, requester, approver)


def reply(client, phone, text, **extra):
    return post_signed(client, WEBHOOK, inbound_form(phone, text, **extra))


def test_the_approver_is_notified_on_whatsapp_and_approves_by_reply(client, twilio, approval, approver):
    notification = HITLNotification.objects.get(approval=approval, channel="whatsapp", recipient=approver)
    assert (
        notification.status == "failed" and "24-hour window" in notification.failure_reason
    )  # never wrote: no template

    assert reply(client, APPROVER_PHONE, f"Approve {approval.reference}").status_code == 200
    approval.refresh_from_db()
    assert approval.status == "executed"  # approved, then carried out (eager tasks)
    decision = HITLDecision.objects.get(approval=approval)
    assert decision.approver == approver and decision.via == "whatsapp" and decision.level == 1
    assert approval.history.filter(actor=approver).exists()
    assert f"You approved {approval.reference}" in twilio.sent[-1]["Body"]
    assert not Message.objects.filter(direction="inbound").exists()  # a decision, not a message to the agents


def test_inside_the_window_the_notification_is_sent_and_says_how_to_answer(
    client, twilio, tenant, requester, approver, number
):
    from channels_app.whatsapp.window import touch_window

    touch_window(tenant.pk, APPROVER_PHONE)
    approval = file_request(tenant, requester, approver)
    [sent] = twilio.sent
    assert sent["To"] == f"whatsapp:{APPROVER_PHONE}"
    assert f"approve {approval.reference}" in sent["Body"] and f"reject {approval.reference} <reason>" in sent["Body"]
    row = HITLNotification.objects.get(approval=approval, channel="whatsapp")
    assert row.status == "sent" and row.provider_message_id.startswith("SM") and row.recipient_phone == APPROVER_PHONE


def test_a_notification_template_is_used_outside_the_window(twilio, tenant, requester, approver, number):
    from channels_app.whatsapp.models import WhatsAppTemplate

    WhatsAppTemplate.objects.create(
        tenant=tenant, purpose="notification", content_sid="HX" + "d" * 32, variables={"1": "reference", "2": "summary"}
    )
    approval = file_request(tenant, requester, approver)
    [sent] = twilio.sent
    assert sent["ContentSid"] == "HX" + "d" * 32 and approval.reference in sent["ContentVariables"]


def test_reject_needs_a_reason_and_records_it(client, twilio, approval):
    reply(client, APPROVER_PHONE, f"reject {approval.reference}")
    approval.refresh_from_db()
    assert approval.is_pending and "needs a reason" in twilio.sent[-1]["Body"]
    reply(client, APPROVER_PHONE, f"reject {approval.reference} too expensive this month")
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.decisions.get().notes == "too expensive this month"


def test_a_quick_reply_button_decides(client, twilio, approval):
    reply(client, APPROVER_PHONE, "Approve", ButtonPayload=f"approve {approval.reference}")
    approval.refresh_from_db()
    assert approval.status == "executed"  # approved, then carried out (eager tasks)


def test_the_wrong_person_is_refused_by_the_services(client, twilio, approval, colleague):
    PhoneFactory(user=colleague, phone_number="+14155550105")
    reply(client, "+14155550105", f"approve {approval.reference}")
    approval.refresh_from_db()
    assert approval.is_pending and not approval.decisions.exists()
    assert "No approval" in twilio.sent[-1]["Body"]  # a member does not see a colleague's approval


def test_the_requester_cannot_approve_their_own_request(client, twilio, approval, requester):
    PhoneFactory(user=requester, phone_number="+14155550107")
    reply(client, "+14155550107", f"approve {approval.reference}")
    approval.refresh_from_db()
    assert approval.is_pending and "Nobody decides on their own request" in twilio.sent[-1]["Body"]


def test_another_tenants_approval_is_not_found(client, twilio, approval, other_tenant):
    from channels_app.whatsapp.models import WhatsAppSender

    WhatsAppSender.objects.create(tenant=other_tenant, number="+14155238887")
    their_approver = UserFactory(tenant=other_tenant, role="approver")
    PhoneFactory(user=their_approver, phone_number="+14155550120")
    reply(client, "+14155550120", f"approve {approval.reference}", To="whatsapp:+14155238887")
    approval.refresh_from_db()
    assert approval.is_pending
    assert f"No approval {approval.reference} was found" in twilio.sent[-1]["Body"]


def test_an_already_decided_approval_says_so(client, twilio, approval):
    reply(client, APPROVER_PHONE, f"approve {approval.reference}")
    reply(client, APPROVER_PHONE, f"reject {approval.reference} changed my mind")
    approval.refresh_from_db()
    assert approval.status == "executed" and approval.decisions.count() == 1
    assert "already executed" in twilio.sent[-1]["Body"]


def test_a_retried_decision_is_taken_and_answered_once(client, twilio, approval):
    form = inbound_form(APPROVER_PHONE, f"approve {approval.reference}")
    post_signed(client, WEBHOOK, form)
    count = len(twilio.sent)
    post_signed(client, WEBHOOK, form)
    assert len(twilio.sent) == count and approval.decisions.count() == 1


def test_anything_else_from_an_approver_goes_to_the_agents(client, twilio, approval, approver):
    reply(client, APPROVER_PHONE, "How is the Summer Sale doing?")
    assert Message.objects.filter(direction="inbound", conversation__user=approver).exists()


def test_the_outcome_reaches_the_requester_on_whatsapp(client, twilio, approval, requester, tenant):
    """A request made over WhatsApp: "Approved and done: …" goes back to the requester's phone."""
    from channels_app.whatsapp.window import touch_window

    PhoneFactory(user=requester, phone_number="+14155550107")
    conversation = ConversationFactory(user=requester, channel="whatsapp")
    type(approval).objects.filter(pk=approval.pk).update(conversation=conversation)
    touch_window(tenant.pk, "+14155550107")
    reply(client, APPROVER_PHONE, f"approve {approval.reference}")
    to_requester = [s for s in twilio.sent if s["To"] == "whatsapp:+14155550107"]
    assert to_requester and to_requester[-1]["Body"].startswith("Approved and done")


def test_an_sla_reminder_reaches_the_approver_on_whatsapp(twilio, tenant, requester, approver, number):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from channels_app.whatsapp.window import touch_window
    from hitl.services.sla import process_due

    approval = file_request(tenant, requester, approver, sla_hours=4, reminder_frequency_hours=1, max_reminders=1)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=False):
        touch_window(tenant.pk, APPROVER_PHONE)  # the approver wrote this morning
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert process_due()["reminded"] == 1
    [sent] = twilio.sent
    assert sent["To"] == f"whatsapp:{APPROVER_PHONE}" and sent["Body"].startswith("Reminder:")
    assert f"approve {approval.reference}" in sent["Body"]
    assert HITLNotification.objects.get(approval=approval, is_reminder=True).status == "sent"
