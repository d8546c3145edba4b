"""Replying "brief" on WhatsApp sends today's daily brief to the person's email, once, as the day's brief."""

import pytest

from briefs.models import DailyBrief
from channels_app.commands import command_for
from conversations.models import Message
from tests.factories import PhoneFactory
from tests.fixtures.whatsapp import inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
PHONE = "+14155550102"
pytestmark = pytest.mark.django_db


@pytest.fixture
def emails(monkeypatch):
    sent = []
    monkeypatch.setattr("channels_app.email.send.provider_send", lambda email: (sent.append(email), ("t", "1"))[1])
    return sent


def test_brief_on_whatsapp_sends_todays_brief_by_email(client, twilio, number, approver, emails):
    PhoneFactory(user=approver, phone_number=PHONE, is_primary=True)
    form = inbound_form(PHONE, "brief")
    assert post_signed(client, WEBHOOK, form).status_code == 200
    (email,) = emails
    assert email.to == approver.email and email.subject.startswith("Your Walker brief for ")
    assert twilio.sent[-1]["Body"] == str(command_for("brief").queued_reply)
    assert DailyBrief.objects.get(user=approver).status == "sent"
    assert not Message.objects.filter(direction="inbound").exists()  # a command, not a message to the agents

    post_signed(client, WEBHOOK, form)  # Twilio retries the same MessageSid: nothing more
    assert len(emails) == 1 and len(twilio.sent) == 1

    post_signed(client, WEBHOOK, inbound_form(PHONE, "Brief!"))  # asked again the same day
    assert len(emails) == 1 and "Today's brief went out at" in twilio.sent[-1]["Body"]


def test_brief_from_an_unknown_phone_sends_nothing(client, twilio, number, emails):
    post_signed(client, WEBHOOK, inbound_form("+14155550199", "brief"))
    assert emails == [] and not DailyBrief.objects.exists()
    assert "don't know this phone yet" in twilio.sent[-1]["Body"]
