"""Every takeover step reaches the tenant's open consoles live, for those who watch conversations; no text."""

import pytest
from channels.db import database_sync_to_async

from conversations import takeover
from tenants.roles import Role
from tests.console.test_console_consumer import file_approval, open_console

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]


async def test_the_tenants_consoles_hear_each_step_without_its_text(chatting, staff, outsider):
    support, admin, approver = staff[Role.SUPPORT], staff[Role.ADMIN], staff[Role.APPROVER]
    watching, admins, approvers, theirs = [await open_console(user) for user in (support, admin, approver, outsider)]
    await database_sync_to_async(takeover.assign)(chatting.pk, actor=support)
    await database_sync_to_async(takeover.add_note)(chatting.pk, actor=support, text="Refund agreed, card 4111")
    await database_sync_to_async(takeover.release)(chatting.pk, actor=support)
    for console in (watching, admins):
        frames = [await console.receive_json_from(timeout=5) for _ in range(3)]
        assert [(f["type"], f["step"]) for f in frames] == [
            ("conversation", "taken_over"),
            ("conversation", "noted"),
            ("conversation", "released"),
        ]
        assert frames[0]["text"] == f"Support Smith took over conversation {str(chatting.pk)[:8]}"
        assert frames[0]["link"].endswith(f"/conversations/conversation/{chatting.pk}/change/")
        assert "Refund" not in str(frames) and "support@acme.test" not in str(frames)
        # Support's own steps come back to them marked, so their page refreshes without telling them the news.
        assert [frame["own"] for frame in frames] == [console is watching] * 3
    assert await approvers.receive_nothing(timeout=0.3)  # approvers do not watch conversations
    assert await theirs.receive_nothing(timeout=0.1)  # another tenant's console
    for console in (watching, admins, approvers, theirs):
        await console.disconnect()


async def test_support_now_listens_but_hears_no_approval_events(staff, tenant):
    console = await open_console(staff[Role.SUPPORT])
    await file_approval(tenant)
    assert await console.receive_nothing(timeout=0.3)
    await console.disconnect()
