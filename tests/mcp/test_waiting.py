"""request_approval waits for the decision and answers with it as soon as an approver decides; a request whose
decision needs an approver's second factor says where they decide it."""

import asyncio

import pytest
from rest_framework.test import APIClient

from hitl.mcp.tools import in_db
from hitl.models import HITLApproval
from tests.mcp.conftest import asked, connected

pytestmark = pytest.mark.asyncio


def approve_the_waiting_one(approver) -> None:
    api = APIClient()
    api.force_authenticate(approver)
    approval = HITLApproval.objects.get(status="pending")
    assert api.post(f"/api/hitl/approvals/{approval.pk}/approve/", {}, format="json").status_code == 200


async def test_the_decision_is_answered_as_soon_as_it_is_made(secret, approver):
    async with connected(secret) as client:
        asking = asyncio.create_task(client.call_tool("request_approval", asked(wait_seconds=10)))
        await asyncio.sleep(0.3)
        await in_db(approve_the_waiting_one, approver)
        answered = await asyncio.wait_for(asking, 2)
    assert not answered.is_error
    decision = answered.structured_content["decision"]
    assert decision["type"] == "accept" and decision["decided_by"]
    assert answered.content[0].text.startswith(f"{answered.structured_content['reference']} was approved by")
    assert "then call report_result" in answered.content[0].text


def step_up_from(tenant, level: str) -> None:
    tenant.step_up_risk_level = level
    tenant.save(update_fields=["step_up_risk_level"])


async def test_a_request_that_needs_a_second_factor_names_the_console_page(secret, tenant):
    await in_db(step_up_from, tenant, "medium")
    async with connected(secret) as client:
        waiting = await client.call_tool("request_approval", asked())
    read = waiting.structured_content
    assert read["status"] == "pending" and read["risk"]["level"] == "high"
    assert read["step_up"]["console_url"].endswith(f"/admin/hitl/hitlapproval/{read['id']}/change/")
    assert f"second factor, so they decide it in Walker's console: {read['step_up']['console_url']}" in (
        waiting.content[0].text
    )
