"""In the console: those who watch the tenant's conversations hear at once that a customer asked for a person, in
their language, with a link and without the customer's words; once per wait."""

import pytest
from channels.db import database_sync_to_async

from tenants.roles import Role
from tests.console.test_console_consumer import open_console
from tests.person_asked.conftest import say

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]


async def frames_within(console, seconds: float) -> list[dict]:
    """The frames `console` is sent until it has been quiet for `seconds`."""
    frames = []
    while not await console.receive_nothing(timeout=seconds):
        frames.append(await console.receive_json_from())
    return frames


async def asked_frame(console) -> dict:
    """The first `person_asked` frame, past any silent activity frame of the inbox."""
    while (frame := await console.receive_json_from(timeout=5))["step"] != "person_asked":
        assert frame["step"] == "activity", frame
    return frame


async def test_support_hears_of_the_ask_once(member, staff, outsider):
    support, approver = staff[Role.SUPPORT], staff[Role.APPROVER]
    watching, approvers, theirs = [await open_console(user) for user in (support, approver, outsider)]
    conversation = (
        await database_sync_to_async(say)(member, "can someone from the team call me? 555 0142")
    ).conversation
    frame = await asked_frame(watching)
    assert frame["type"] == "conversation"
    assert frame["text"] == f"A customer asked to talk to a person in conversation {str(conversation.pk)[:8]}"
    assert frame["link"].endswith(f"/conversations/conversation/{conversation.pk}/change/")
    assert "0142" not in str(frame)
    await database_sync_to_async(say)(member, "talk to a person")
    later = await frames_within(watching, 0.5)  # the inbox's silent activity frames may come; no second notice
    assert [f for f in later if f.get("step") == "person_asked"] == []
    assert await approvers.receive_nothing(timeout=0.1) and await theirs.receive_nothing(timeout=0.1)
    for console in (watching, approvers, theirs):
        await console.disconnect()


async def test_a_spanish_speaker_hears_it_in_spanish(member, staff):
    support = staff[Role.SUPPORT]
    support.language = "es"
    await database_sync_to_async(support.save)(update_fields=["language"])
    watching = await open_console(support)
    await database_sync_to_async(say)(member, "quiero hablar con una persona")
    frame = await asked_frame(watching)
    assert frame["text"].startswith("Un cliente pidió hablar con una persona en la conversación ")
    await watching.disconnect()
