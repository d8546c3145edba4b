"""A read tool answers the person the agent speaks for with what that person may see, nothing more.

`pending_approvals` lists the approvals `hitl.access.approvals_for(user)` gives the asker, as the approvals API
does: a member their own requests, an approver the tenant's queue, another tenant's people none of this tenant's.
Checked through the OpenAI-compatible tool loop and through Langflow's signed callback URL.
"""

import json
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from werkzeug import Response

from agents import tool_callback
from agents.engines.base import EngineRequest
from agents.engines.openai_engine import OpenAIEngine
from agents.models import AIAgent
from hitl.services.requests import request_approval
from tenants.roles import Role
from tests.factories import CampaignFactory, UserFactory, budget_action


@pytest.fixture
def queue(tenant, other_tenant, colleague, requester):
    """Two requests of the colleague's, three of another member's, and two in another tenant (each its own
    campaign, so none conflicts with another)."""
    paid_ads = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    rival = UserFactory(tenant=other_tenant, role=Role.MEMBER, email="member@globex.test")

    def file(owner):
        campaign = CampaignFactory(tenant=owner.tenant, daily_budget=Decimal("500"))
        action = budget_action(campaign, "650.00")
        return request_approval(tenant=owner.tenant, agent=paid_ads, action=action, requested_by=owner).reference

    return {owner: {file(owner) for _ in range(count)} for owner, count in ((colleague, 2), (requester, 3), (rival, 2))}


def _api_references(api_as, user) -> set[str]:
    body = api_as(user).get("/api/hitl/approvals/?status=pending").json()
    return {row["reference"] for row in body["results"]}


class _Model:
    """A fake OpenAI-compatible server: first asks for pending_approvals, then answers; keeps what it was sent."""

    def __init__(self, server):
        self.sent = []
        server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(self._answer)

    def _answer(self, request):
        self.sent.append(request.get_json())
        if len(self.sent) == 1:
            call = {"id": "c1", "type": "function", "function": {"name": "pending_approvals", "arguments": "{}"}}
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        else:
            message = {"role": "assistant", "content": "Here they are."}
        return Response(json.dumps({"choices": [{"index": 0, "message": message}]}), content_type="application/json")

    def pending(self) -> set[str]:
        [result] = [json.loads(m["content"]) for m in self.sent[1]["messages"] if m["role"] == "tool"]
        return {row["reference"] for row in result["pending"]}


def _request(user):
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    return EngineRequest(tenant=user.tenant, user=user, agent=agent, conversation_id=str(uuid.uuid4()), text="queue?")


def _through_openai(settings, httpserver, user) -> set[str]:
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = httpserver.url_for("/v1"), "sk-test"
    model = _Model(httpserver)
    assert OpenAIEngine().run(_request(user)).text == "Here they are."
    return model.pending()


@pytest.fixture
def seen_by(settings, httpserver, client):
    """The references `pending_approvals` gives `user` through `door`."""

    def look(door, user):
        return _through_openai(settings, httpserver, user) if door == "openai" else _through_langflow(client, user)

    return look


def _through_langflow(client, user) -> set[str]:
    with tool_callback.callback_run(_request(user)) as url:
        response = client.post(urlsplit(url).path + "pending_approvals", "{}", content_type="application/json")
    assert response.status_code == 200
    return {row["reference"] for row in response.json()["pending"]}


@pytest.mark.parametrize("door", ["openai", "langflow"])
def test_a_member_hears_of_their_own_requests_only(seen_by, api_as, queue, colleague, door):
    assert seen_by(door, colleague) == queue[colleague] == _api_references(api_as, colleague)


@pytest.mark.parametrize("door", ["openai", "langflow"])
def test_an_approver_hears_of_the_tenants_queue(seen_by, api_as, queue, approver, door):
    tenants_queue = set().union(*(refs for owner, refs in queue.items() if owner.tenant_id == approver.tenant_id))
    assert len(tenants_queue) == 5
    assert seen_by(door, approver) == tenants_queue == _api_references(api_as, approver)


@pytest.mark.parametrize("door", ["openai", "langflow"])
def test_another_tenants_approver_hears_of_nothing_here(seen_by, api_as, queue, other_tenant, door):
    theirs = UserFactory(tenant=other_tenant, role=Role.APPROVER, email="approver@globex.test")
    [rival] = [owner for owner in queue if owner.tenant_id == other_tenant.pk]
    assert seen_by(door, theirs) == queue[rival] == _api_references(api_as, theirs)
