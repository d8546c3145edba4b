"""One message is read once for routing and the built-in engine (agents.understanding, inside one reading)."""

from unittest import mock

from agents.engines.base import EngineRequest
from agents.engines.builtin import BuiltinEngine
from agents.models import AgentType, AIAgent
from agents.reading import one_reading
from agents.routing import route
from agents.understanding import parse
from tests.factories import CampaignFactory, UserFactory


def system_agent(agent_type=AgentType.PAID_ADS) -> AIAgent:
    return AIAgent.objects.get(is_system_agent=True, agent_type=agent_type)


def test_routing_and_the_built_in_engine_read_the_message_once(tenant):
    CampaignFactory(tenant=tenant, name="Summer Sale")
    person = UserFactory(tenant=tenant)
    text = "How is my Summer Sale campaign doing?"
    with one_reading(), mock.patch.object(parse, "_understood", wraps=parse._understood) as reading:
        agent_type = route(text, tenant=tenant)
        request = EngineRequest(tenant, person, system_agent(agent_type), "conversation-1", text)
        reply = BuiltinEngine().run(request)
    assert agent_type == AgentType.PAID_ADS and "Summer Sale" in reply.text
    assert reading.call_count == 1
