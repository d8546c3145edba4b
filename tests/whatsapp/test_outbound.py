"""Sending: retries with backoff on 429/5xx, final failures with Twilio's code, long replies split, the window."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from channels_app.whatsapp import tasks
from channels_app.whatsapp.models import WhatsAppContact, WhatsAppSend, WhatsAppTemplate
from channels_app.whatsapp.split import split_text
from conversations import delivery
from conversations.models import Message
from tests.factories import ConversationFactory
from tests.fixtures.whatsapp import MESSAGES_PATH

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(colleague, member_phone, number):
    return ConversationFactory(user=colleague, channel="whatsapp")


def wrote(phone, tenant, hours_ago=0.0):
    WhatsAppContact.objects.update_or_create(
        tenant=tenant, phone=phone, defaults={"last_inbound_at": timezone.now() - timedelta(hours=hours_ago)}
    )


def say(conversation, text, **metadata) -> Message:
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = delivery.send(conversation, text, **metadata)
    message.refresh_from_db()
    return message


def test_429_and_5xx_are_retried_with_celerys_backoff_then_sent(
    twilio, eager_retries, conversation, tenant, member_phone
):
    wrote(member_phone.phone_number, tenant)
    twilio.fail(429)
    twilio.fail(503, code=20500, message="Service unavailable")
    message = say(conversation, "Your campaign is doing well.")
    assert message.status == "sent"
    assert len(twilio.sent) == 1
    assert tasks.deliver_message.autoretry_for and tasks.deliver_message.retry_backoff
    assert tasks.deliver_message.retry_jitter


def test_a_send_that_keeps_failing_is_recorded_failed_after_the_retries(
    twilio, eager_retries, conversation, tenant, member_phone
):
    wrote(member_phone.phone_number, tenant)
    twilio.fail(500, code=20500, message="boom", times=tasks.SEND_RETRIES + 1)
    message = say(conversation, "Hello")
    assert message.status == "failed"
    assert "gave up after retries" in message.error and "HTTP 500" in message.error
    assert twilio.sent == []


def test_a_refusal_is_final_and_keeps_twilios_error_code(twilio, conversation, tenant, member_phone):
    wrote(member_phone.phone_number, tenant)
    twilio.fail(400, code=63016, message="Failed to send freeform message outside the window")
    message = say(conversation, "Hello")
    assert message.status == "failed"
    assert message.error.startswith("Twilio error 63016")
    assert twilio.sent == []  # not retried


def test_a_reply_over_1600_characters_goes_as_parts_cut_between_sentences(twilio, conversation, tenant, member_phone):
    wrote(member_phone.phone_number, tenant)
    sentence = "The Summer Sale spent $412 yesterday and brought 37 orders. "
    text = sentence * 60  # about 3,600 characters
    message = say(conversation, text)
    bodies = [sent["Body"] for sent in twilio.sent]
    assert len(bodies) == 3 and all(len(body) <= 1600 for body in bodies)
    assert all(body.endswith("orders.") for body in bodies)
    assert " ".join(bodies) == text.strip()
    assert message.status == "sent"
    assert list(WhatsAppSend.objects.filter(message=message).order_by("part").values_list("part", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_retry_after_a_partial_send_does_not_send_a_part_twice(
    twilio, eager_retries, conversation, tenant, member_phone
):
    """Part 1 goes, part 2 meets a 503; the retry sends part 2 only."""
    wrote(member_phone.phone_number, tenant)
    accept = twilio._handle
    calls = []

    def flaky(request):
        calls.append(request.form["Body"])
        if len(calls) == 2:
            twilio.fail(503, code=20500, message="Service unavailable")
        return accept(request)

    twilio.server.clear_all_handlers()
    twilio.server.expect_request(MESSAGES_PATH, method="POST").respond_with_handler(flaky)
    message = say(conversation, "One more sentence about the campaign. " * 60)
    assert message.status == "sent"
    assert [sent["Body"] for sent in twilio.sent] == split_text(message.text)
    assert calls == [calls[0], calls[1], calls[1]]  # the second part was asked twice, the first once


def test_split_text_cuts_at_sentences_then_spaces():
    assert split_text("Short.") == ["Short."]
    words = "word " * 500
    parts = split_text(words)
    assert all(len(p) <= 1600 for p in parts) and "".join(parts).replace(" ", "") == words.replace(" ", "")


# --- the 24-hour window ------------------------------------------------------------------------


def test_outside_the_window_an_agent_reply_is_blocked_with_the_reason(twilio, conversation, tenant, member_phone):
    wrote(member_phone.phone_number, tenant, hours_ago=25)
    message = say(conversation, "Here is your report.")
    assert message.status == "blocked"
    assert "24-hour window" in message.error
    assert twilio.sent == []


def test_outside_the_window_an_outcome_uses_the_tenants_template(twilio, conversation, tenant, member_phone):
    WhatsAppTemplate.objects.create(
        tenant=tenant, purpose="outcome", content_sid="HX" + "a" * 32, variables={"1": "reference", "2": "status"}
    )
    wrote(member_phone.phone_number, tenant, hours_ago=30)
    message = say(
        conversation,
        "Approved and done: budget raised",
        approval_id=str(uuid.uuid4()),
        reference="BR-123456",
        status="approved",
    )
    assert message.status == "sent"
    [sent] = twilio.sent
    assert sent["ContentSid"] == "HX" + "a" * 32
    assert sent["ContentVariables"] == '{"1": "BR-123456", "2": "approved"}'
    assert "Body" not in sent


def test_outside_the_window_an_outcome_without_a_template_is_blocked(twilio, conversation, tenant, member_phone):
    wrote(member_phone.phone_number, tenant, hours_ago=30)
    message = say(
        conversation, "Approved and done: …", approval_id=str(uuid.uuid4()), reference="BR-123456", status="approved"
    )
    assert message.status == "blocked" and "no approved outcome template" in message.error
    assert twilio.sent == []


def test_inside_the_window_free_text_goes_even_with_a_template(twilio, conversation, tenant, member_phone):
    WhatsAppTemplate.objects.create(tenant=tenant, purpose="outcome", content_sid="HX" + "b" * 32, variables={})
    wrote(member_phone.phone_number, tenant, hours_ago=23)
    say(
        conversation,
        "Approved and done: budget raised",
        approval_id=str(uuid.uuid4()),
        reference="BR-1",
        status="approved",
    )
    assert twilio.sent[0]["Body"] == "Approved and done: budget raised"


def test_the_console_provider_logs_one_line_at_info(signing, conversation, tenant, member_phone, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    wrote(member_phone.phone_number, tenant)
    message = say(conversation, "Hello from the console,\non two lines")
    assert message.status == "sent"
    assert capsys.readouterr().out == ""
    (line,) = [r for r in caplog.records if r.name == "channels_app.whatsapp.send"]
    assert line.levelno == logging.INFO
    assert line.getMessage() == "WhatsApp (console) +14155238886 -> +•••••••••05: Hello from the console, on two lines"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert WhatsAppSend.objects.get(message=message).sid.startswith("console-")


def test_a_template_names_known_fields_only(tenant):
    from django.core.exceptions import ValidationError

    template = WhatsAppTemplate(tenant=tenant, purpose="verification", content_sid="MX1", variables={"1": "summary"})
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert set(error.value.message_dict) == {"content_sid", "variables"}
