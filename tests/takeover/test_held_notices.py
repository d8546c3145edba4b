"""A customer writing on a conversation a person holds is told live on the console feed: the holder gets a notice
that is theirs (a toast in the console), the tenant's other monitors a plain one; never the message's words."""

import pytest
from channels.db import database_sync_to_async

from conversations import takeover
from conversations.models import Conversation
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
    }
    other = (await frames_until(monitor, "customer_wrote"))[-1]
    assert (other["mine"], other["text"]) == (False, f"The customer wrote in conversation {ref}, held by Support Smith")
    for frame in (mine, other):
        assert "4111" not in str(frame) and "555" not in str(frame) and "card" not in str(frame)
    assert await approvers.receive_nothing(timeout=0.3)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for console in (holder, monitor, approvers, theirs):
        await console.disconnect()


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
        }
    assert await console.receive_nothing(timeout=0.3)
    assert await approvers.receive_nothing(timeout=0.1)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for socket in (console, approvers, theirs):
        await socket.disconnect()


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
