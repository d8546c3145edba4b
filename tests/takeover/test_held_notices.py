"""A customer writing on a conversation a person holds is told live on the console feed: the holder gets a notice
that is theirs (a toast in the console), the tenant's other monitors a plain one; never the message's words."""

import pytest
from channels.db import database_sync_to_async

from conversations import takeover
from conversations.models import Conversation
from core import layer
from tenants.roles import Role
from tests.console.test_console_consumer import open_console
from tests.takeover.conftest import say

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]
SECRET = "My card is 4111 1111 1111 1111, call me on +1 415 555 0142"


async def frames_until(console, step):
    """The frames up to and including the first of `step`."""
    seen = []
    while not seen or seen[-1].get("step") != step:
        seen.append(await console.receive_json_from(timeout=5))
    return seen


async def test_the_holder_and_the_monitors_hear_that_the_customer_wrote_but_not_what(
    chatting, staff, customer, outsider
):
    support, admin, approver = staff[Role.SUPPORT], staff[Role.ADMIN], staff[Role.APPROVER]
    holder, monitor, approvers, theirs = [await open_console(user) for user in (support, admin, approver, outsider)]
    await database_sync_to_async(takeover.assign)(chatting.pk, actor=support)
    for console in (holder, monitor):
        await frames_until(console, "taken_over")

    await database_sync_to_async(say)(customer, SECRET)

    ref = str(chatting.pk)[:8]
    mine = (await frames_until(holder, "customer_wrote"))[-1]
    assert mine == {
        "type": "conversation",
        "step": "customer_wrote",
        "conversation_id": str(chatting.pk),
        "link": f"/admin/conversations/conversation/{chatting.pk}/change/",
        "text": f"The customer wrote in conversation {ref}, which you hold",
        "mine": True,
        "own": False,
    }
    other = (await frames_until(monitor, "customer_wrote"))[-1]
    assert (other["mine"], other["text"]) == (False, f"The customer wrote in conversation {ref}, held by Support Smith")
    for frame in (mine, other):
        assert "4111" not in str(frame) and "555" not in str(frame) and "card" not in str(frame)
    assert await approvers.receive_nothing(timeout=0.3)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for console in (holder, monitor, approvers, theirs):
        await console.disconnect()


@pytest.mark.slow
async def test_while_the_agents_answer_the_inbox_only_hears_activity(chatting, staff, customer, outsider):
    """The message in and the answer out each move the inbox (silent `activity` frames, no words), no notice."""
    console, approvers, theirs = [
        await open_console(user) for user in (staff[Role.SUPPORT], staff[Role.APPROVER], outsider)
    ]
    _, answer = await database_sync_to_async(say)(customer, SECRET)
    assert answer is not None
    ref = str(chatting.pk)[:8]
    for _ in ("received", "answered"):
        frame = await console.receive_json_from(timeout=5)
        assert frame == {
            "type": "conversation",
            "step": "activity",
            "conversation_id": str(chatting.pk),
            "link": f"/admin/conversations/conversation/{chatting.pk}/change/",
            "text": f"New message in conversation {ref}",
            "mine": False,
            "own": False,
        }
    assert await console.receive_nothing(timeout=0.3)
    assert await approvers.receive_nothing(timeout=0.1)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for socket in (console, approvers, theirs):
        await socket.disconnect()


@pytest.mark.slow
async def test_a_message_and_an_answer_written_where_the_layer_does_not_reach_move_the_inbox(
    chatting, staff, customer, outsider, superuser, monkeypatch
):
    """The embedded default: answers are written by a Celery worker, whose in-memory channel layer never reaches
    daphne's consoles (issue 46). The conversation's events are read from the store, as the approvals' are."""
    monkeypatch.setattr(layer, "group_send", lambda group, message: None)  # the writer's layer reaches nobody here
    support, everyone = await open_console(staff[Role.SUPPORT]), await open_console(superuser)
    approvers, theirs = await open_console(staff[Role.APPROVER]), await open_console(outsider)
    _, answer = await database_sync_to_async(say)(customer, "Any news on Summer Sale?")
    assert answer is not None
    for console in (support, everyone):
        steps = [(await console.receive_json_from(timeout=5))["step"] for _ in ("received", "answered")]
        assert steps == ["activity", "activity"] and await console.receive_nothing(timeout=0.6)
    assert await approvers.receive_nothing(timeout=0.1)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for console in (support, everyone, approvers, theirs):
        await console.disconnect()


@pytest.mark.slow
async def test_a_held_conversation_moves_no_inbox_by_activity(chatting, staff, customer, monkeypatch):
    """Its holder answers it: the customer's message is a `customer_wrote` notice (sent by the intake), not activity."""
    support = staff[Role.SUPPORT]
    await database_sync_to_async(takeover.assign)(chatting.pk, actor=support)
    monkeypatch.setattr(layer, "group_send", lambda group, message: None)
    console = await open_console(support)
    await database_sync_to_async(say)(customer, "Hello?")
    assert await console.receive_nothing(timeout=1.2)
    await console.disconnect()


async def test_after_hand_back_the_customer_writing_is_no_notice(chatting, staff, customer):
    support = staff[Role.SUPPORT]
    console = await open_console(support)
    await database_sync_to_async(takeover.assign)(chatting.pk, actor=support)
    await database_sync_to_async(takeover.release)(chatting.pk, actor=support)
    await frames_until(console, "released")
    await database_sync_to_async(say)(customer, "Thanks!")
    steps = [(await console.receive_json_from(timeout=5))["step"] for _ in range(2)]
    assert steps == ["activity", "activity"] and await console.receive_nothing(timeout=0.3)
    assert (await database_sync_to_async(Conversation.objects.get)(pk=chatting.pk)).held_by_id is None
    await console.disconnect()


async def test_the_notice_is_in_the_listeners_language(chatting, staff, customer, settings):
    support = staff[Role.SUPPORT]
    support.language = "es"
    await database_sync_to_async(support.save)(update_fields=["language"])
    console = await open_console(support)
    await database_sync_to_async(takeover.assign)(chatting.pk, actor=support)
    await database_sync_to_async(say)(customer, "Hello?")
    frame = (await frames_until(console, "customer_wrote"))[-1]
    assert frame["mine"] is True and str(chatting.pk)[:8] in frame["text"]  # the Spanish words come with locale/
    await console.disconnect()
