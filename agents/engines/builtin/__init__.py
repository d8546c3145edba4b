"""The built-in engine: rule-based agents that answer from the tenant's own data, without a language model.

Each agent module reads (never writes) the tenant's rows and turns requests into ProposedActions.
"""

from agents.engines.base import EngineError, EngineReply, EngineRequest
from agents.engines.builtin import audience, content, paid_ads, seo
from agents.engines.builtin.language import other_language
from agents.formatting import clip
from agents.models import AgentType

AGENTS = {
    AgentType.PAID_ADS: paid_ads.respond,
    AgentType.SEO: seo.respond,
    AgentType.CONTENT: content.respond,
    AgentType.AUDIENCE: audience.respond,
}


class BuiltinEngine:
    external = False  # runs inside Walker on the tenant's own data

    def __init__(self, config=None):  # nothing to configure: same constructor as the other engines
        pass

    def run(self, request: EngineRequest) -> EngineReply:
        respond = AGENTS.get(request.agent.agent_type)
        if respond is None:
            raise EngineError(f"the built-in engine has no {request.agent.agent_type!r} agent")
        if language := other_language(request.text):
            return EngineReply(
                f"I only understand English for now, and this looks like {language}. Please write to me in English "
                "(your admin can connect an LLM engine that reads other languages)."
            )
        reply = respond(request)
        return EngineReply(clip("\n\n".join([*_feedback(request), reply.text])), reply.actions)


def _feedback(request: EngineRequest) -> list[str]:
    """A rejected or expired proposal, told once, with an offer to propose something else."""
    lines = []
    for note in request.decisions:
        if note.outcome == "rejected":
            why = f" Reason: {note.detail}." if note.detail else ""
            lines.append(f"Rejected: {note.summary} ({note.reference}).{why} Want me to propose something else?")
        elif note.outcome == "expired":
            lines.append(f"Nobody decided on {note.summary} ({note.reference}) in time. Want me to propose it again?")
    return lines
