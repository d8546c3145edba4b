"""What every built-in agent needs: the tenant's clock, the comparison windows and the "here is what I can do" reply."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.engines.base import EngineReply
from agents.engines.builtin.examples import examples
from agents.models import AgentType
from agents.understanding.text import strip_accents

APPROVAL_NOTE = gettext_lazy("Nothing changes until someone approves it.")


def zone(tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def local_now(tenant) -> datetime:
    return timezone.localtime(timezone=zone(tenant))


MAX_PERIOD = 90
_PERIOD_COUNT = re.compile(
    r"\b(?:last|past|previous|over|in|for|ultim[oa]s|pasad[oa]s)\s+(\d{1,3}|two|three|four|dos|tres|cuatro)\s+"
    r"(days?|weeks?|dias?|semanas?)\b",
    re.I,
)
_PERIOD_WORD = re.compile(
    r"\b(?:last|past|this|previous)\s+(week|fortnight|month|quarter)\b|\b(yesterday|ayer)\b"
    r"|\b(?:la|el|este|esta|ultim[oa])\s+(semana|mes|trimestre)(?:\s+pasad[oa])?\b",
    re.I,
)
_PERIOD_DAYS = {
    **{"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90, "yesterday": 1},
    **{"dia": 1, "semana": 7, "mes": 30, "trimestre": 90, "ayer": 1},
}
_SMALL_NUMBERS = {"two": 2, "three": 3, "four": 4, "dos": 2, "tres": 3, "cuatro": 4}


def period_days(text: str) -> int | None:
    """The number of complete days a question asks about ("over the last 30 days", "last month",
    "yesterday"), at most MAX_PERIOD; None when it names no period."""
    text = strip_accents(text)
    if match := _PERIOD_COUNT.search(text):
        count = _SMALL_NUMBERS.get(match.group(1).lower()) or int(match.group(1))
        days = count * _PERIOD_DAYS[match.group(2).lower().rstrip("s")]
    elif match := _PERIOD_WORD.search(text):
        days = _PERIOD_DAYS[next(g for g in match.groups() if g).lower()]
    else:
        return None
    return min(max(days, 1), MAX_PERIOD)


def period_label(days: int) -> str:
    return _("yesterday") if days == 1 else _("last %(days)s days") % {"days": days}


def capabilities(request, understood) -> EngineReply:
    """The answer to a greeting, to "what can you do?", to an open question ("what should we post?"), or to
    anything the agent did not understand: what it can do, with examples made from the tenant's own rows, in the
    active language."""
    understood_it = True
    if understood.intent == "thanks":
        opening = _("You're welcome!")
    elif understood.intent == "help" and understood.slots.get("open"):
        opening = _(
            "I don't make plans or recommendations of my own, but I answer from your data and propose changes "
            "that a person in your team approves."
        )
    elif understood.intent == "help":
        opening = _(
            "I'm your %(agent)s agent: I answer from your own data, and I propose changes that a person "
            "in your team approves before anything happens."
        ) % {"agent": AgentType(request.agent.agent_type).label}
    elif understood.intent == "greeting":
        opening = _("Hi! I'm your %(agent)s agent.") % {"agent": AgentType(request.agent.agent_type).label}
    else:
        opening, understood_it = _("Sorry, I didn't get that."), False
    shown = examples(request.agent.agent_type, request.tenant)
    lines = [opening, _("You can ask me, for example:")] + [f"- {example}" for example in shown]
    return EngineReply("\n".join(lines), understood=understood_it)


def which_one(mentions) -> EngineReply:
    """Two rows of different kinds fit the message equally: ask which ("Summer Sale the campaign or 'Summer
    Sale' the post?")."""
    first, second = (_KIND_PHRASES[m.kind] % {"name": m.name} for m in mentions[:2])
    return EngineReply(_("Do you mean %(first)s or %(second)s?") % {"first": first, "second": second})


_KIND_PHRASES = {
    "campaign": gettext_lazy("%(name)s the campaign"),
    "content": gettext_lazy("'%(name)s' the post"),
    "keyword": gettext_lazy("'%(name)s' the keyword"),
    "segment": gettext_lazy("%(name)s the audience"),
}
