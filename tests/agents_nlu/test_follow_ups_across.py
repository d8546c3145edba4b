"""Issue 31, point 4, through the pipeline: a follow-up continues the person's conversation across channels (within
conversations.pipeline.elsewhere.WINDOW) and after a takeover ends (the turns a person handled do not reset the
agent's context)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from conversations import takeover
from conversations.normalized import InboundMessage
from conversations.pipeline.elsewhere import WINDOW
from hitl.models import HITLApproval
from tenants.roles import Role
from tests.agents_nlu import world
from tests.factories import PhoneFactory, UserFactory
from tests.pipeline import exchange

PHONE = "+14155550123"


@pytest.fixture
def member(nlu_world):
    person = UserFactory(tenant=nlu_world.tenant, role=Role.MEMBER, language="en")
    PhoneFactory(user=person, phone_number=PHONE, is_primary=True)
    return person


def at(*, minutes):
    """The world's clock, `minutes` later (it stands still otherwise: every row would be written at one instant)."""
    return time_machine.travel(world.now() + timedelta(minutes=minutes), tick=False)


def chat(person, text):
    return exchange(InboundMessage(channel="chat", text=text, user_id=person.pk))


def whatsapp(text):
    return exchange(InboundMessage(channel="whatsapp", text=text, sender_phone=PHONE))


def proposed(result) -> HITLApproval:
    (outcome,) = result.actions
    return HITLApproval.objects.get(pk=outcome.approval_id)


def test_a_follow_up_on_whatsapp_continues_what_was_asked_in_the_chat(member):
    asked = chat(member, "How is Summer Sale doing?")
    assert asked.reply.text.startswith("Summer Sale, last 7 days")
    with at(minutes=10):
        result = whatsapp("raise it by 20 %")
    assert result.conversation.pk != asked.conversation.pk and result.conversation.channel == "whatsapp"
    approval = proposed(result)
    assert (approval.action_type, approval.action_data["campaign_name"]) == ("set_budget", "Summer Sale")
    assert Decimal(approval.action_data["daily_budget"]) == Decimal("600.00")
    assert result.conversation.agent.agent_type == "paid_ads"


def test_past_the_window_the_other_channel_is_not_read(member):
    chat(member, "How is Summer Sale doing?")
    with at(minutes=WINDOW.total_seconds() / 60 + 1):
        result = whatsapp("raise it by 20 %")
    assert result.actions == []
    assert result.reply.text.startswith("Which campaign do you mean?"), result.reply.text


def test_another_persons_chat_is_not_the_context(member, nlu_world):
    colleague = UserFactory(tenant=nlu_world.tenant, role=Role.MEMBER)
    chat(colleague, "How is Summer Sale doing?")
    with at(minutes=5):
        result = whatsapp("raise it by 20 %")
    assert result.actions == [] and result.reply.text.startswith("Which campaign do you mean?")


def test_the_conversations_own_recent_turns_come_before_another_channels(member):
    """The WhatsApp conversation spoke of Brand Search a minute ago: the chat's Summer Sale does not take over."""
    with at(minutes=-2):
        whatsapp("How is Brand Search doing?")
    chat(member, "How is Summer Sale doing?")
    with at(minutes=1):
        result = whatsapp("raise it by 20 %")
    assert proposed(result).action_data["campaign_name"] == "Brand Search"


def test_after_a_takeover_a_follow_up_goes_to_the_agents_last_entity(member, nlu_world):
    """Human turns in the history (the member's questions a person answered, and the person's replies) do not reset
    the agent's context: "raise it" is the campaign the agent last answered about."""
    staff = nlu_world  # a tenant admin, who may take conversations over
    asked = chat(member, "How is Summer Sale doing?")
    conversation = asked.conversation.pk
    with at(minutes=1):
        takeover.assign(conversation, actor=staff)
    with at(minutes=2):
        held = chat(member, "and how is Brand Search doing?")
    assert held.reply is None  # set aside for the person holding it
    with at(minutes=3):
        takeover.reply(conversation, actor=staff, text="Brand Search is doing fine, its CPA is down this week.")
        takeover.release(conversation, actor=staff)
    with at(minutes=4):
        result = chat(member, "Thanks! Now raise it by 20 %")
    approval = proposed(result)
    assert (approval.action_type, approval.action_data["campaign_name"]) == ("set_budget", "Summer Sale")
    assert Decimal(approval.action_data["daily_budget"]) == Decimal("600.00")
