"""The built-in engine: rule-based agents that answer from the tenant's own data, without a language model.

Each agent module reads (never writes) the tenant's rows and turns requests into ProposedActions.
"""

from agents.engines.base import EngineError, EngineReply, EngineRequest
from agents.engines.builtin import audience, content, paid_ads, seo
from agents.engines.builtin.formatting import clip
from agents.models import AgentType

AGENTS = {
    AgentType.PAID_ADS: paid_ads.respond,
    AgentType.SEO: seo.respond,
    AgentType.CONTENT: content.respond,
    AgentType.AUDIENCE: audience.respond,
}


class BuiltinEngine:
    external = False  # runs inside Walker on the tenant's own data

    def run(self, request: EngineRequest) -> EngineReply:
        respond = AGENTS.get(request.agent.agent_type)
        if respond is None:
            raise EngineError(f"the built-in engine has no {request.agent.agent_type!r} agent")
        reply = respond(request)
        return EngineReply(clip(reply.text), reply.actions)
