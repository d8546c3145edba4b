"""The words of refusals a message meets at any door (the pipeline, the chat protocol), written once and in the
reader's language."""

from django.conf import settings
from django.utils.translation import gettext

from agents.models import AgentType


def unknown_agent(agent) -> str:
    return gettext("Unknown agent %(agent)s; choose one of %(agents)s.") % {
        "agent": repr(agent),
        "agents": ", ".join(AgentType.values),
    }


def too_long(text: str) -> str:
    return gettext("Messages are limited to %(limit)s characters; this one has %(length)s.") % {
        "limit": f"{settings.INBOUND_MAX_CHARS:,}",
        "length": f"{len(text):,}",
    }


def empty() -> str:
    return gettext("The message is empty.")
