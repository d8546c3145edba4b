"""The channels' own replies (a verification code, its confirmation, a refusal, a chat error frame) are written in
the reader's language: a Spanish reader gets them in Spanish."""

import re

import pytest
from channels.db import database_sync_to_async
from django.test import TestCase
from django.utils import translation

from channels_app.chat import parse
from channels_app.whatsapp.models import WhatsAppTemplate
from tests.factories import PhoneFactory, UserFactory
from tests.fixtures.whatsapp import inbound_form, post_signed

WEBHOOK = "/channels/whatsapp/webhook"
PHONE = "+14155550142"


@pytest.fixture
def ines(tenant):
    return UserFactory(tenant=tenant, email="ines@acme.test", first_name="Inés", language="es")


@pytest.fixture
def added(twilio, number, ines):
    """Inés's number, added unverified: its code goes out as plain text (no template) in her window."""
    WhatsAppTemplate.objects.create(
        tenant=ines.tenant, purpose="verification", content_sid="HX" + "c" * 32, variables={"1": "code"}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return PhoneFactory(user=ines, phone_number=PHONE, verified=False)


def test_a_spanish_reader_is_told_in_spanish_that_their_number_is_verified(client, twilio, added):
    code = re.search(r'"1": "(\d{6})"', twilio.sent[-1]["ContentVariables"]).group(1)
    post_signed(client, WEBHOOK, inbound_form(PHONE, code), HTTP_ACCEPT_LANGUAGE="en")
    assert "este número está verificado" in twilio.sent[-1]["Body"]


def test_a_spanish_reader_is_told_in_spanish_that_a_code_is_wrong(client, twilio, added):
    post_signed(client, WEBHOOK, inbound_form(PHONE, "000000"), HTTP_ACCEPT_LANGUAGE="en")
    assert "código" in twilio.sent[-1]["Body"] and "code" not in twilio.sent[-1]["Body"].lower().split()


def test_a_chat_error_frame_is_in_the_readers_language():
    with translation.override("es"), pytest.raises(parse.ProtocolError) as refused:
        parse.parse('{"type": "send_message", "message": "   ", "client_msg_id": "c1"}')
    assert refused.value.detail == "El mensaje está vacío."


@pytest.mark.asyncio
@pytest.mark.usefixtures("chat_db")
async def test_the_chat_socket_answers_a_spanish_reader_in_spanish(open_tab, tenant):
    reader = await database_sync_to_async(UserFactory)(tenant=tenant, email="pilar@acme.test", language="es")
    connected, tab = await open_tab(reader)
    await tab.next()  # the history
    await tab.say("  ", "c1")
    assert (await tab.next())["detail"] == "El mensaje está vacío."
    await tab.close()
