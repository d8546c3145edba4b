"""A person's reply leaves on the conversation's own channel, through the channel's sender and its rules;
notes leave on none. Twilio and SendGrid are the real SDKs against fakes on 127.0.0.1 (as in tests/whatsapp
and tests/email)."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from channels_app.whatsapp.models import WhatsAppContact
from conversations import takeover
from conversations.models import Message
from tests.factories import ConversationFactory

pytestmark = pytest.mark.usefixtures("email_settings")  # Walker's provider backend, SendGrid faked on 127.0.0.1


def wrote(phone, tenant, hours_ago=0.0):
    WhatsAppContact.objects.update_or_create(
        tenant=tenant, phone=phone, defaults={"last_inbound_at": timezone.now() - timedelta(hours=hours_ago)}
    )


@pytest.fixture
def on_whatsapp(customer, member_phone, number, support):
    conversation = ConversationFactory(user=customer, channel="whatsapp")
    takeover.assign(conversation.pk, actor=support)
    return conversation


@pytest.fixture
def by_email(customer, support):
    conversation = ConversationFactory(user=customer, channel="email")
    takeover.assign(conversation.pk, actor=support)
    return conversation


def reply(conversation, person, text) -> Message:
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = takeover.reply(conversation.pk, actor=person, text=text)
    message.refresh_from_db()
    return message


def note(conversation, person, text):
    with TestCase.captureOnCommitCallbacks(execute=True):
        takeover.add_note(conversation.pk, actor=person, text=text)


def test_a_reply_on_whatsapp_goes_through_twilio_and_the_first_says_who_answers(
    twilio,
    on_whatsapp,
    tenant,
    member_phone,
    support,
):
    wrote(member_phone.phone_number, tenant)
    message = reply(on_whatsapp, support, "Hi, your account is unlocked.")
    assert [sent["Body"] for sent in twilio.sent] == [
        f"Support Smith ({tenant.name}) here:\nHi, your account is unlocked."
    ]
    assert twilio.sent[0]["To"] == f"whatsapp:{member_phone.phone_number}"
    assert (message.status, message.sender_type) == ("sent", "human")
    assert message.text == "Hi, your account is unlocked."  # stored as written; the console shows the name beside it

    reply(on_whatsapp, support, "Anything else?")  # the customer knows who answers now: no second introduction
    assert twilio.sent[-1]["Body"] == "Anything else?"


def test_a_colleague_taking_it_over_introduces_themselves_again(
    twilio,
    on_whatsapp,
    tenant,
    member_phone,
    support,
    staff,
):
    admin = staff["admin"]
    wrote(member_phone.phone_number, tenant)
    reply(on_whatsapp, support, "Let me check.")
    takeover.assign(on_whatsapp.pk, actor=support, to=admin)
    reply(on_whatsapp, admin, "I can help with the refund.")
    assert [sent["Body"].split("\n")[0] for sent in twilio.sent] == [
        f"Support Smith ({tenant.name}) here:",
        f"Admin Smith ({tenant.name}) here:",
    ]


def test_a_reply_outside_the_24_hour_window_is_blocked_like_an_agents_and_known_at_once(
    twilio,
    on_whatsapp,
    tenant,
    member_phone,
    support,
):
    wrote(member_phone.phone_number, tenant, hours_ago=25)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        message = takeover.reply(on_whatsapp.pk, actor=support, text="Following up on your ticket.")
    # Known when reply() returns, before any worker runs: the console and the API report it as blocked.
    assert message.status == "blocked" and "24-hour window" in message.error
    message.refresh_from_db()
    assert message.status == "blocked" and "24-hour window" in message.error
    for callback in queued:
        callback()  # the console notices; nothing is queued for Twilio
    assert twilio.sent == []


def test_a_reply_waiting_for_its_worker_is_pending(twilio, on_whatsapp, tenant, member_phone, support):
    wrote(member_phone.phone_number, tenant)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the Celery task is not handed over yet
        message = takeover.reply(on_whatsapp.pk, actor=support, text="On its way.")
    assert (message.status, message.error) == ("pending", "")


def test_a_reply_by_email_comes_from_the_person_and_is_signed(sendgrid, by_email, customer, tenant, support):
    message = reply(by_email, support, "Hello: all sorted.")
    (mail,) = sendgrid.mails
    assert mail["personalizations"][0]["to"] == [{"email": customer.email}]
    assert mail["from"]["name"] == f"Support Smith ({tenant.name})"
    text = {part["type"]: part["value"] for part in mail["content"]}["text/plain"]
    assert f"Hello: all sorted.\n\n— Support Smith, {tenant.name}" in text
    assert "support@acme.test" not in str(mail)  # their name, never their address
    assert message.status == "sent" and message.text == "Hello: all sorted."

    reply(by_email, support, "One more thing.")  # every email stands alone: each is signed
    assert (
        f"— Support Smith, {tenant.name}"
        in {p["type"]: p["value"] for p in sendgrid.mails[-1]["content"]}["text/plain"]
    )


def test_notes_are_sent_on_no_channel(twilio, sendgrid, on_whatsapp, by_email, tenant, member_phone, support):
    wrote(member_phone.phone_number, tenant)
    note(on_whatsapp, support, "VIP customer, be gentle.")
    note(by_email, support, "Asked twice already.")
    assert twilio.sent == [] and sendgrid.mails == []
    assert not Message.objects.filter(conversation__in=[on_whatsapp, by_email]).exists()
