"""The built-in engine: rule-based agents that answer from the tenant's own data, without a language model.

Each agent module reads (never writes) the tenant's rows and turns requests into ProposedActions.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.engines.base import EngineError, EngineReply, EngineRequest, Outcome
from agents.engines.builtin import audience, content, paid_ads, revisions, seo
from agents.engines.builtin.language import other_language
from agents.formatting import clip
from agents.models import AgentType
from agents.understanding import understand

AGENTS = {
    AgentType.PAID_ADS: paid_ads.respond,
    AgentType.SEO: seo.respond,
    AgentType.CONTENT: content.respond,
    AgentType.AUDIENCE: audience.respond,
}


# The languages `other_language` recognises, named in the reply's language.
LANGUAGE_NAMES = {
    "French": gettext_lazy("French"),
    "German": gettext_lazy("German"),
    "Portuguese": gettext_lazy("Portuguese"),
    "Italian": gettext_lazy("Italian"),
}


class BuiltinEngine:
    external = False  # runs inside Walker on the tenant's own data

    def __init__(self, config=None):  # nothing to configure: same constructor as the other engines
        pass

    def run(self, request: EngineRequest) -> EngineReply:
        respond = AGENTS.get(request.agent.agent_type)
        if respond is None:
            raise EngineError(f"the built-in engine has no {request.agent.agent_type!r} agent")
        if note := revisions.revision_asked(request):  # an approver's note on its proposal, not the person's words
            return revisions.revise(request, note)
        understood = understand(request.text, request.tenant, request.history)
        if language := other_language(request.text):
            return EngineReply(
                _(
                    "I only understand English and Spanish for now, and this looks like %(language)s. Please write "
                    "to me in English or Spanish (your admin can connect an LLM engine that reads other languages)."
                )
                % {"language": LANGUAGE_NAMES.get(language, language)},
                understood=False,
            )
        # Each message answered in its own language; when its words do not say, in the person's (already active).
        with translation.override(understood.language or translation.get_language()):
            reply = respond(request, understood)
            return EngineReply(clip("\n\n".join([*_feedback(request), reply.text])), reply.actions, reply.understood)


def _feedback(request: EngineRequest) -> list[str]:
    """A rejected or expired proposal, told once, with an offer to propose something else."""
    lines = []
    for note in request.decisions:
        if note.outcome == Outcome.REJECTED:
            about = {"summary": note.summary, "reference": note.reference, "reason": note.detail}
            if note.detail:
                line = _(
                    "Rejected: %(summary)s (%(reference)s). Reason: %(reason)s. Want me to propose something else?"
                )
            else:
                line = _("Rejected: %(summary)s (%(reference)s). Want me to propose something else?")
            lines.append(line % about)
        elif note.outcome == Outcome.EXPIRED:
            lines.append(
                _("Nobody decided on %(summary)s (%(reference)s) in time. Want me to propose it again?")
                % {"summary": note.summary, "reference": note.reference}
            )
    return lines
