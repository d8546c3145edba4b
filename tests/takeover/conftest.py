"""Human takeover: a customer (member) in conversation with the agents, and the tenant's people of every role."""

import pytest

from conversations.normalized import InboundMessage
from tenants.roles import Role
from tests.factories import UserFactory
from tests.pipeline import exchange


@pytest.fixture
def customer(colleague):
    """The member talking to the agents."""
    return colleague


@pytest.fixture
def chatting(engine, customer):
    """A chat conversation with one message, answered by the agent."""
    return exchange(
        InboundMessage(channel="chat", text="How is my Summer Sale doing?", user_id=customer.pk)
    ).conversation


def say(customer, text, channel="chat", **fields):
    """The customer writes again; returns the stored message and the agent's reply (None if there is none)."""
    result = exchange(InboundMessage(channel=channel, text=text, user_id=customer.pk, **fields))
    return result.inbound, result.reply


@pytest.fixture
def support2(tenant):
    """A second person of the support team."""
    return UserFactory(tenant=tenant, role=Role.SUPPORT, first_name="Sam", last_name="Lee", email="support2@acme.test")
