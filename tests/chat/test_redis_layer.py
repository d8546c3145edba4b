"""The chat on the Redis channel layer, as production runs it (CI sets REDIS_URL).

Each test closes the layer's connection pools before its event loop ends, so no
blocking pop outlives the test.
"""

import os

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings

from agents.engines.base import EngineReply
from hitl.services.decisions import approve
from tests.factories import CampaignFactory, budget_action

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.redis,
    pytest.mark.usefixtures("redis_chat"),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL); CI provides it"),
]


@pytest.fixture
def redis_chat(live_db, settings):
    settings.CHANNEL_LAYERS = {"default": django_settings.CHANNEL_LAYERS["default"]}
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis.")


async def close_layer():
    """Drop the layer's connections and listeners before the test's event loop ends."""
    layer = get_channel_layer()
    await layer.flush()
    if hasattr(layer, "close_pools"):  # the queue layer keeps pools besides what flush() clears
        await layer.close_pools()


async def test_two_tabs_get_the_same_numbered_events_and_live_approvals_over_redis(
    open_tab, colleague, approver, engine
):
    campaign = await database_sync_to_async(CampaignFactory)(tenant=colleague.tenant, name="Summer Sale")
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    _, a = await open_tab(colleague)
    _, b = await open_tab(colleague)
    try:
        await a.next()
        await b.next()
        await a.say("Raise the Summer Sale budget to $700 a day", "r1")
        seen_by_a = await a.until("agent_response")
        seen_by_b = await b.until("agent_response")
        assert [f["seq"] for f in seen_by_a] == [f["seq"] for f in seen_by_b] == [0, 1, 2]
        action = seen_by_a[-1]["actions"][0]
        await database_sync_to_async(approve)(action["approval_id"], actor=approver)
        for tab in (a, b):
            assert [(await tab.next())["status"], (await tab.next())["status"]] == ["approved", "executed"]
    finally:
        await a.close()
        await b.close()
        await close_layer()


async def test_a_reconnecting_client_gets_what_it_missed_over_redis(open_tab, colleague, engine):
    _, tab = await open_tab(colleague)
    try:
        await tab.next()
        await tab.say("one", "a")
        conversation_id = (await tab.until("agent_response"))[-1]["conversation_id"]
        await tab.say("two", "b")
        await tab.until("agent_response")
    finally:
        await tab.close()
    _, back = await open_tab(colleague, query=f"conversation={conversation_id}&last_seq=2")
    try:
        assert [(await back.next())["seq"] for _ in range(2)] == [3, 4]
        assert await back.quiet()
    finally:
        await back.close()
        await close_layer()


async def test_a_bad_token_is_closed_with_4401_over_redis(open_tab):
    _, tab = await open_tab(token="forged")
    try:
        output = await tab.ws.receive_output(timeout=5)
        assert output["type"] == "websocket.close" and output["code"] == 4401
    finally:
        await close_layer()
