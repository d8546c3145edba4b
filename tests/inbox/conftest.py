"""An inbox of a few customers' conversations on several channels, some held by the tenant's people."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ConversationFactory, MessageFactory, UserFactory

MINUTE = timedelta(minutes=1)


def wrote(conversation, text, *, ago=0, **fields):
    """The customer (or, with direction/sender_type, someone else) wrote `ago` minutes ago."""
    at = timezone.now() - ago * MINUTE
    message = MessageFactory(conversation=conversation, text=text, created_at=at, **fields)
    conversation.last_message_at = max(conversation.last_message_at, at)
    conversation.save(update_fields=["last_message_at"])
    return message


def held(conversation, person, *, ago=30):
    conversation.held_by, conversation.held_since = person, timezone.now() - ago * MINUTE
    conversation.save(update_fields=["held_by", "held_since"])
    return conversation


@pytest.fixture
def priya(tenant):
    return UserFactory(tenant=tenant, first_name="Priya", last_name="Shah", email="priya.shah@acme.test")


@pytest.fixture
def inbox(tenant, priya, support, staff, other_tenant):
    """Priya's WhatsApp conversation held by support, two chats nobody holds (one closed), an email held by the
    admin; and another tenant's conversation, which nobody here may see."""
    rows = {
        "held": held(ConversationFactory(user=priya, channel="whatsapp"), support),
        "open_chat": ConversationFactory(user=UserFactory(tenant=tenant, first_name="Jon", last_name="Ode")),
        "closed_chat": ConversationFactory(user=UserFactory(tenant=tenant), status="closed"),
        "admins": held(ConversationFactory(user=UserFactory(tenant=tenant), channel="email"), staff["admin"]),
        "theirs": ConversationFactory(user=UserFactory(tenant=other_tenant, first_name="Globex")),
    }
    wrote(rows["held"], "Call me on +1 415 555 0142 or write to priya.shah@acme.test", ago=20)
    wrote(rows["open_chat"], "Is the tent waterproof?", ago=5)
    wrote(rows["theirs"], "Globex secret words", ago=1)
    return rows
