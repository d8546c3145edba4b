"""What the customer's chat widget receives while a person holds the conversation."""

import pytest
from channels.db import database_sync_to_async

from conversations import takeover
from tenants.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]


@pytest.fixture
def person(tenant):
    return UserFactory(tenant=tenant, role=Role.SUPPORT, first_name="Dana", last_name="Reyes", email="dana@acme.test")


def step(function, *args, **kwargs):
    return database_sync_to_async(function)(*args, **kwargs)


async def test_the_customer_sees_who_joined_their_answers_and_that_the_agents_are_back(
    open_tab, colleague, person, engine
):
    _, tab = await open_tab(colleague)
    await tab.next()  # history
    await tab.say("My ad account is locked", "c1")
    received = await tab.until("agent_response")
    conversation_id = received[0]["conversation_id"]

    await step(takeover.assign, conversation_id, actor=person)
    joined = await tab.next()
    assert (joined["type"], joined["name"]) == ("human_joined", "Dana Reyes")

    await tab.say("Hello?", "c2")
    assert (await tab.next())["type"] == "message_received"
    assert await tab.quiet(0.5)  # no agent answer while a person holds it

    await step(takeover.add_note, conversation_id, actor=person, text="Locked since Monday; check billing.")
    await step(takeover.reply, conversation_id, actor=person, text="Hi, Dana here: unlocking it now.")
    reply = await tab.next()  # the note sent nothing: the next frame is the reply
    assert (reply["type"], reply["name"], reply["text"]) == (
        "human_reply",
        "Dana Reyes",
        "Hi, Dana here: unlocking it now.",
    )
    assert "dana@acme.test" not in str(reply)

    await step(takeover.release, conversation_id, actor=person)
    left = await tab.next()
    assert (left["type"], left["name"], left["reason"]) == ("human_left", "Dana Reyes", "released")

    await tab.say("Thanks! How is my Summer Sale doing?", "c3")
    assert (await tab.until("agent_response"))[-1]["type"] == "agent_response"
    await tab.close()

    _, again = await open_tab(colleague)  # history on reconnect: the reply with its author, no note
    history = await again.next()
    human = [m for m in history["messages"] if m["sender_type"] == "human"]
    assert [(m["name"], m["text"]) for m in human] == [("Dana Reyes", "Hi, Dana here: unlocking it now.")]
    assert "billing" not in str(history)
    await again.close()


async def test_a_reconnecting_widget_replays_the_takeover_frames(open_tab, colleague, person, engine):
    _, tab = await open_tab(colleague)
    await tab.next()
    await tab.say("Hi", "c1")
    frames = await tab.until("agent_response")
    conversation_id, seq = frames[-1]["conversation_id"], frames[-1]["seq"]
    await tab.close()

    await step(takeover.assign, conversation_id, actor=person)
    await step(takeover.reply, conversation_id, actor=person, text="Dana here.")
    _, again = await open_tab(colleague, query=f"conversation={conversation_id}&last_seq={seq}")
    assert [(await again.next())["type"] for _ in range(2)] == ["human_joined", "human_reply"]
    await again.close()
