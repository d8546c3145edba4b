"""The member is told in the thread when support resolves their conversation or hands it back, held or not; and the
member's page opens one of their conversations, closed ones too, with its history."""

import pytest
from channels.db import database_sync_to_async

from conversations import events, takeover
from conversations.models import Conversation
from tenants.roles import Role
from tests.factories import ConversationFactory, MessageFactory, UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]


@pytest.fixture
def person(tenant):
    return UserFactory(tenant=tenant, role=Role.SUPPORT, first_name="Dana", last_name="Reyes", email="dana@acme.test")


def step(function, *args, **kwargs):
    return database_sync_to_async(function)(*args, **kwargs)


async def _answered(open_tab, colleague):
    _, tab = await open_tab(colleague)
    await tab.next()  # history
    await tab.say("My ad account is locked", "c1")
    return tab, (await tab.until("agent_response"))[0]["conversation_id"]


async def test_resolving_a_conversation_nobody_held_tells_the_member_who_resolved_it(
    open_tab, colleague, person, engine
):
    tab, conversation_id = await _answered(open_tab, colleague)
    await step(takeover.resolve, conversation_id, actor=person)
    left = await tab.next()
    assert (left["type"], left["name"], left["reason"]) == ("human_left", "Dana Reyes", "resolved")
    stored = await step(events.replay, conversation_id, left["seq"] - 1, up_to=None)
    assert stored[0]["type"] == "human_left"  # numbered and stored: replayed to a tab that was away
    await tab.close()


@pytest.mark.parametrize("last_step", ["resolve", "release"])
async def test_a_held_conversation_resolved_or_handed_back_tells_the_member(
    open_tab, colleague, person, engine, last_step
):
    tab, conversation_id = await _answered(open_tab, colleague)
    await step(takeover.assign, conversation_id, actor=person)
    assert (await tab.next())["type"] == "human_joined"
    await step(getattr(takeover, last_step), conversation_id, actor=person)
    left = await tab.next()
    reason = {"resolve": "resolved", "release": "released"}[last_step]
    assert (left["type"], left["name"], left["reason"]) == ("human_left", "Dana Reyes", reason)
    await tab.close()


def _closed_conversation(user):
    conversation = ConversationFactory(user=user, status=Conversation.Status.CLOSED)
    MessageFactory(conversation=conversation, text="An old question")
    return conversation


async def test_a_named_conversation_without_last_seq_opens_with_its_history_closed_or_not(open_tab, colleague):
    closed = await step(_closed_conversation, colleague)
    _, tab = await open_tab(colleague, query=f"conversation={closed.pk}")
    history = await tab.next()
    assert (history["type"], history["conversation_id"], history["open"]) == ("history", str(closed.pk), False)
    assert [m["text"] for m in history["messages"]] == ["An old question"]
    await tab.close()


async def test_someone_elses_conversation_named_opens_the_members_own_instead(open_tab, colleague, tenant):
    teammate = await step(UserFactory, tenant=tenant, role=Role.MEMBER, email="teammate@acme.test")
    theirs = await step(_closed_conversation, teammate)
    _, tab = await open_tab(colleague, query=f"conversation={theirs.pk}")
    history = await tab.next()
    assert history["conversation_id"] is None and history["messages"] == []
    assert "An old question" not in str(history)
    await tab.close()
