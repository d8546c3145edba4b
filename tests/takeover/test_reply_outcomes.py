"""The console and the API report what really happened to a person's reply: sent, queued for sending, or blocked
by WhatsApp's 24-hour window (with the reason), never "sent" for a reply that did not go."""

import pytest
from django.urls import reverse

from conversations import takeover
from conversations.models import Message
from tests.factories import ConversationFactory
from tests.takeover.test_channels import wrote


@pytest.fixture
def on_whatsapp(customer, member_phone, number, support):
    conversation = ConversationFactory(user=customer, channel="whatsapp")
    takeover.assign(conversation.pk, actor=support)
    return conversation


def admin_reply(client, conversation, text):
    url = reverse("admin:conversations_conversation_takeover", args=[conversation.pk])
    return client.post(url, {"step": "reply", "text": text}, follow=True).content.decode()


def api_reply(client, conversation, text):
    response = client.post(f"/api/conversations/{conversation.pk}/replies/", {"text": text}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_console_says_a_reply_blocked_by_the_24_hour_window_was_not_sent(
    console_as,
    on_whatsapp,
    tenant,
    member_phone,
    support,
):
    wrote(member_phone.phone_number, tenant, hours_ago=30)
    html = admin_reply(console_as(support), on_whatsapp, "Still there?")
    assert "Reply sent." not in html
    assert "Reply not sent, blocked: outside the 24-hour window" in html
    assert "It is kept in the thread." in html
    assert Message.objects.get(sender_type="human").status == "blocked"


def test_the_console_says_a_reply_in_the_window_is_queued_until_its_worker_sends_it(
    console_as,
    on_whatsapp,
    tenant,
    member_phone,
    support,
):
    wrote(member_phone.phone_number, tenant)
    html = admin_reply(console_as(support), on_whatsapp, "On it.")  # the sender task runs after commit
    assert "Reply queued for sending; its status shows in the thread." in html
    assert "Reply sent." not in html


def test_the_console_says_a_chat_reply_was_sent(console_as, chatting, support):
    client = console_as(support)
    takeover.assign(chatting.pk, actor=support)
    assert "Reply sent." in admin_reply(client, chatting, "Hello!")


def test_the_api_answers_the_replys_real_status(api_as, on_whatsapp, chatting, tenant, member_phone, support):
    client = api_as(support)
    wrote(member_phone.phone_number, tenant, hours_ago=30)
    blocked = api_reply(client, on_whatsapp, "Still there?")
    assert blocked["status"] == "blocked" and "24-hour window" in blocked["error"]

    wrote(member_phone.phone_number, tenant)
    queued = api_reply(client, on_whatsapp, "Now you wrote: hello!")
    assert (queued["status"], queued["error"]) == ("pending", "")

    takeover.assign(chatting.pk, actor=support)
    assert api_reply(client, chatting, "Hi on chat.")["status"] == "delivered"
