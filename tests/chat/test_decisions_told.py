"""Issue 30, point 4, on the chat socket: the member's open chat hears an approver's edit and note as frames, and the
chip's level progress ("1 of 2 approved") comes with each level approved, live and after a reload."""

import pytest
from channels.db import database_sync_to_async

from agents.engines.base import EngineReply
from hitl.services.decisions import approve
from tenants.roles import Role
from tests.factories import CampaignFactory, HITLWorkflowFactory, UserFactory, budget_action

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]
EDIT = {"action_data": {"daily_budget": "650.00"}}


def people(tenant) -> tuple:
    dana = UserFactory(tenant=tenant, role=Role.APPROVER, email="dana@acme.test", first_name="Dana", last_name="Reyes")
    lee = UserFactory(tenant=tenant, role=Role.APPROVER, email="lee@acme.test", first_name="Lee", last_name="Park")
    CampaignFactory(tenant=tenant, name="Summer Sale")
    return dana, lee


async def proposal(tab, engine, tenant) -> dict:
    from agents.models import Campaign

    campaign = await database_sync_to_async(Campaign.objects.get)(tenant=tenant, name="Summer Sale")
    engine.reply = EngineReply(text="I can do that.", actions=[budget_action(campaign)])
    await tab.next()  # history
    await tab.say("Raise the Summer Sale budget to $700 a day", "r1")
    return (await tab.until("agent_response"))[-1]["actions"][0]


async def test_the_member_hears_the_edit_and_the_note_as_they_were_made(open_tab, colleague, engine):
    dana, _lee = await database_sync_to_async(people)(colleague.tenant)
    _, tab = await open_tab(colleague)
    action = await proposal(tab, engine, colleague.tenant)
    await database_sync_to_async(approve)(action["approval_id"], actor=dana, notes="Start lower", edits=EDIT)
    approved = await tab.next()
    assert (approved["type"], approved["status"], approved["edited_by"]) == (
        "approval_update",
        "approved",
        "Dana Reyes",
    )
    assert approved["summary"] == "Raise Summer Sale daily budget from $500.00 to $650.00"
    assert "Dana Reyes changed your request: Daily budget $700.00 → $650.00." in approved["text"]
    assert "Note from Dana Reyes: “Start lower”" in approved["text"] and "dana@" not in str(approved)
    executed = await tab.next()
    assert executed["text"] == "Approved and done: Summer Sale daily budget $500.00 -> $650.00"
    await tab.close()


async def test_the_chip_shows_each_level_approved_live_and_after_a_reload(open_tab, colleague, engine):
    dana, lee = await database_sync_to_async(people)(colleague.tenant)
    await database_sync_to_async(HITLWorkflowFactory)(
        tenant=colleague.tenant,
        approval_levels=[
            {"name": "Approvers", "approvers": {"users": [dana.email]}, "required_approvals": 1},
            {"name": "Leads", "approvers": {"users": [lee.email]}, "required_approvals": 1},
        ],
    )
    _, tab = await open_tab(colleague)
    action = await proposal(tab, engine, colleague.tenant)
    assert (action["status"], action["levels"], action["approved_levels"]) == ("pending", 2, 0)
    await database_sync_to_async(approve)(action["approval_id"], actor=dana)
    update = await tab.next()
    assert (update["status"], update["levels"], update["approved_levels"]) == ("pending", 2, 1)
    assert update["text"].startswith("1 of 2 approved: Dana Reyes approved “Raise Summer Sale daily budget")
    await tab.close()

    _, again = await open_tab(colleague)
    history = await again.next()
    (chip,) = [a for m in history["messages"] for a in m["actions"]]
    assert (chip["status"], chip["levels"], chip["approved_levels"]) == ("pending", 2, 1)
    await database_sync_to_async(approve)(action["approval_id"], actor=lee)
    approved = await again.next()
    assert approved["status"] == "approved" and "approved_levels" not in approved
    await again.close()
