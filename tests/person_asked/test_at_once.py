"""Two asks for a person at once, on PostgreSQL with a connection each: the conversation is marked once and support
told once."""

import pytest
from django.core import mail

from conversations.models import Conversation
from conversations.normalized import InboundMessage
from conversations.pipeline import accept
from conversations.services import open_conversation
from tests.concurrency import at_once


@pytest.mark.postgres("two intakes at once each read the conversation's row under its lock")
def test_two_asks_at_once_mark_and_tell_once(postgres_only, member, staff):
    conversation = open_conversation(member, "chat")

    def asking(text):
        def call():
            return accept(InboundMessage(channel="chat", text=text, user_id=member.pk, conversation_id=conversation.pk))

        return call

    at_once(asking("I want to talk to a human"), asking("quiero hablar con una persona"))
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.last_inbound_seq == 2 and conversation.person_requested_at is not None
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "admin@acme.test",
        "support@acme.test",
    ]
