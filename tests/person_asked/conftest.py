"""A member of the tenant talks to the agents and asks for a person; the tenant's support and admins are told."""

import pytest

from channels_app.slack.models import SlackWorkspace
from conversations.normalized import InboundMessage
from tests.pipeline import exchange
from tests.slack.fake_slack import FakeSlack

ASKS = {
    "en": ["talk to a person", "can someone from the team call me", "I want to talk to a human"],
    "es": ["quiero hablar con alguien", "quiero hablar con una persona"],
}


def say(user, text, channel="chat", **fields):
    """`user` writes `text` on `channel` and the worker answers: the exchange (conversation, inbound, reply)."""
    return exchange(InboundMessage(channel=channel, text=text, user_id=user.pk, **fields))


@pytest.fixture
def member(colleague):
    return colleague


@pytest.fixture
def slack_api(settings):
    fake = FakeSlack().start()
    settings.SLACK_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()


@pytest.fixture
def workspace(tenant):
    return SlackWorkspace.objects.create(
        tenant=tenant, team_id="T0ACME", team_name="Acme", bot_token="xoxb-acme", signing_secret="s" * 32
    )
