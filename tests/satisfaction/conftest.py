"""Satisfaction (CSAT): a member in conversation with the agents, resolved by a person of support."""

import pytest
from django.test import TestCase

from conversations import takeover
from tests.factories import ConversationFactory, MessageFactory


@pytest.fixture
def customer(colleague):
    """The member who is asked to rate."""
    return colleague


def conversation_on(channel, customer, holder=None):
    """A conversation of `customer` on `channel` with one message of theirs, held by `holder` if given."""
    conversation = ConversationFactory(user=customer, channel=channel)
    MessageFactory(conversation=conversation, text="My ad account is locked")
    if holder is not None:
        takeover.assign(conversation.pk, actor=holder)
    return conversation


def resolve(conversation, person):
    """Support resolves it; what waits for the commit (the ask's send) runs."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        takeover.resolve(conversation.pk, actor=person)
    conversation.refresh_from_db()
    return conversation
