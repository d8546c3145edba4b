"""WhatsApp: the ask is a message; the person's bare "1"-"5" right after it is the rating, answered in words."""

from datetime import timedelta

import pytest
import time_machine

from analytics.models import EventType, PlatformEvent
from channels_app.whatsapp.models import WhatsAppReceipt
from conversations import takeover
from conversations.models import Conversation, Message, SatisfactionSurvey
from tests.fixtures.whatsapp import inbound_form, new_sid, post_signed
from tests.satisfaction.conftest import resolve

WEBHOOK = "/channels/whatsapp/webhook"


@pytest.fixture
def write(client, member_phone):
    def send(body, sid=None):
        return post_signed(client, WEBHOOK, inbound_form(member_phone.phone_number, body, sid=sid or new_sid()))

    return send


@pytest.fixture
def asked(twilio, number, write, customer, support, engine):
    write("My ad account is locked")  # answered by the agents; the 24-hour window is open
    conversation = Conversation.objects.get(user=customer, channel="whatsapp")
    takeover.assign(conversation.pk, actor=support)
    return resolve(conversation, support).satisfaction


def score_of(survey):
    return SatisfactionSurvey.objects.get(pk=survey.pk).score


def test_the_ask_goes_out_on_whatsapp_and_a_reply_of_4_is_the_rating(asked, twilio, write, member_phone):
    ask = twilio.sent[-1]
    assert ask["To"] == f"whatsapp:{member_phone.phone_number}"
    assert ask["Body"] == "How did we do? Reply with a number from 1 (poor) to 5 (excellent)."
    conversations = Conversation.objects.count()

    assert write(" 4 ").status_code == 200
    assert score_of(asked) == 4
    assert twilio.sent[-1]["Body"] == "Thank you! You rated this conversation 4 of 5."
    assert Conversation.objects.count() == conversations  # not a message for the agents: no new conversation
    assert WhatsAppReceipt.objects.filter(kind="rating").count() == 1
    (event,) = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED)
    assert (event.metadata["score"], event.metadata["channel"]) == (4, "whatsapp")


def test_a_retried_delivery_of_the_reply_rates_once(asked, twilio, write):
    sid = new_sid()
    write("2", sid=sid)
    sent = len(twilio.sent)
    write("2", sid=sid)  # Twilio retries the same MessageSid
    assert len(twilio.sent) == sent and score_of(asked) == 2


def test_a_second_rating_is_refused_politely(asked, twilio, write):
    write("5")
    write("1")
    assert score_of(asked) == 5
    assert twilio.sent[-1]["Body"] == "You have already rated this conversation 5 of 5. Thank you!"


@pytest.mark.parametrize("body", ["0", "6", "10"])
def test_a_number_out_of_range_is_refused_politely_and_a_right_one_then_taken(asked, twilio, write, body):
    write(body)
    assert score_of(asked) is None
    assert twilio.sent[-1]["Body"] == "Please rate with a whole number from 1 (poor) to 5 (excellent)."
    write("3")
    assert score_of(asked) == 3


def test_a_late_reply_is_refused_politely(asked, twilio, write, settings):
    with time_machine.travel(asked.asked_at + timedelta(hours=settings.SATISFACTION_WINDOW_HOURS, minutes=5)):
        write("4")
    assert score_of(asked) is None
    assert twilio.sent[-1]["Body"] == "Thank you, but ratings for this conversation closed 72 hours after we asked."


def test_words_are_a_new_message_for_the_agents_and_a_number_after_them_is_no_rating(asked, write, customer):
    write("Thanks! One more question about my budget")
    newer = Conversation.objects.filter(user=customer, channel="whatsapp").order_by("-started_at").first()
    assert newer.pk != asked.conversation_id and newer.is_open
    write("5")  # no longer right after the ask: a message of the new conversation
    assert score_of(asked) is None
    assert Message.objects.filter(conversation=newer, direction="inbound").count() == 2


def test_a_number_with_no_ask_before_it_is_an_ordinary_message(twilio, number, write, customer, engine):
    write("3")
    assert Message.objects.filter(conversation__user=customer, direction="inbound").count() == 1
    assert not WhatsAppReceipt.objects.filter(kind="rating").exists()
