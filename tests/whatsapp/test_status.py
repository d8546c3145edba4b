"""POST /channels/whatsapp/status: signed, forward only, failures with their code, notifications too."""

import pytest

from channels_app.whatsapp.models import WhatsAppSend
from hitl.models import HITLNotification
from tests.factories import ConversationFactory, MessageFactory
from tests.fixtures.whatsapp import ACCOUNT, new_sid, post_signed

STATUS = "/channels/whatsapp/status"
pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(tenant, colleague):
    conversation = ConversationFactory(user=colleague, channel="whatsapp")
    message = MessageFactory(
        conversation=conversation, direction="outbound", sender_type="agent", text="hi", status="sent"
    )
    sid = new_sid()
    WhatsAppSend.objects.create(sid=sid, tenant=tenant, message=message, to="+14155550105", status="queued")
    return message, sid


def callback(client, sid, status, **extra):
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT, **extra}
    return post_signed(client, STATUS, form)


def test_statuses_move_forward_and_never_back(client, signing, sent):
    message, sid = sent
    for status, expected in [
        ("sent", "sent"),
        ("read", "read"),
        ("delivered", "read"),  # late
        ("sent", "read"),  # late
        ("read", "read"),  # repeated
        ("failed", "read"),  # nonsense after read
    ]:
        assert callback(client, sid, status).status_code == 204
        message.refresh_from_db()
        assert message.status == expected, status
    assert WhatsAppSend.objects.get(sid=sid).status == "read"


def test_undelivered_records_the_error_code(client, signing, sent):
    message, sid = sent
    assert callback(client, sid, "undelivered", ErrorCode="63024").status_code == 204
    message.refresh_from_db()
    assert message.status == "failed" and "63024" in message.error
    assert WhatsAppSend.objects.get(sid=sid).error_code == "63024"
    callback(client, sid, "delivered")  # a delivered after undelivered does not resurrect it
    message.refresh_from_db()
    assert message.status == "failed"


def test_an_unsigned_or_forged_callback_is_403_and_changes_nothing(client, signing, sent):
    message, sid = sent
    form = {"MessageSid": sid, "MessageStatus": "read"}
    assert post_signed(client, STATUS, form, signature="").status_code == 403
    assert post_signed(client, STATUS, form, signature="Zm9yZ2Vk").status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.mark.parametrize(
    "form, code",
    [
        ({"MessageSid": "x", "MessageStatus": "read"}, "bad_sid"),
        ({"MessageSid": "SM" + "0" * 32, "MessageStatus": "exploded"}, "bad_status"),
        ({"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed", "ErrorCode": "oops"}, "bad_error_code"),
    ],
)
def test_a_malformed_callback_is_400_with_a_reason(client, signing, form, code):
    response = post_signed(client, STATUS, form)
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_callback_for_an_unknown_sid_is_accepted_and_ignored(client, signing):
    assert callback(client, new_sid(), "delivered").status_code == 204


def test_a_notification_gets_delivered_at_and_its_provider_id(client, signing, tenant, approver, requester):
    from agents.models import AIAgent
    from hitl.services.requests import request_approval
    from tests.factories import CampaignFactory, budget_action

    action = budget_action(CampaignFactory(tenant=tenant), "700.00")
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)
    row = HITLNotification.objects.create(
        tenant=tenant, approval=approval, channel="whatsapp", recipient=approver, event="created", message="m",
        status="sent",
    )  # fmt: skip
    sid = new_sid()
    WhatsAppSend.objects.create(sid=sid, tenant=tenant, notification=row, to="+14155550102")
    callback(client, sid, "sent")
    row.refresh_from_db()
    assert row.delivered_at is None and row.provider_message_id == sid
    callback(client, sid, "delivered")
    row.refresh_from_db()
    assert row.status == "delivered" and row.delivered_at is not None
    first = row.delivered_at
    callback(client, sid, "read")
    row.refresh_from_db()
    assert row.delivered_at == first


@pytest.mark.parametrize("late", ["read", "delivered", "sent", "queued"])
def test_nothing_moves_a_failed_send(client, signing, sent, late):
    """failed is final: a later callback (Twilio's order is not guaranteed) moves neither the send nor the message."""
    message, sid = sent
    callback(client, sid, "sent")
    callback(client, sid, "failed", ErrorCode="30008")
    assert callback(client, sid, late).status_code == 204
    send = WhatsAppSend.objects.get(sid=sid)
    message.refresh_from_db()
    assert (send.status, send.error_code, message.status) == ("failed", "30008", "failed")
