"""What every built-in agent needs: the tenant's clock, the comparison windows and the "here is what I can do" reply."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from agents.engines.base import EngineReply
from agents.engines.builtin.parsing import GREETING, THANKS, NameMatch, find_name, quoted

APPROVAL_NOTE = "Nothing changes until someone approves it."


def zone(tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def local_today(tenant) -> date:
    return timezone.localdate(timezone=zone(tenant))


def local_now(tenant) -> datetime:
    return timezone.localtime(timezone=zone(tenant))


@dataclass(frozen=True)
class Window:
    """Whole tenant-local days, both ends included."""

    first: date
    last: date


def last_days(tenant, days: int) -> tuple[Window, Window]:
    """The `days` complete days ending yesterday, and the `days` before those."""
    yesterday = local_today(tenant) - timedelta(days=1)
    current = Window(yesterday - timedelta(days=days - 1), yesterday)
    previous = Window(current.first - timedelta(days=days), current.first - timedelta(days=1))
    return current, previous


def capabilities(agent_label: str, examples: list[str], text: str = "") -> EngineReply:
    """The answer to a greeting or to anything the agent did not understand."""
    if THANKS.match(text):
        opening = "You're welcome!"
    elif GREETING.match(text):
        opening = f"Hi! I'm your {agent_label} agent."
    else:
        opening = "Sorry, I didn't get that."
    lines = [opening, "You can ask me things like:"] + [f"- {example}" for example in examples]
    return EngineReply("\n".join(lines))


_PRONOUN = re.compile(r"\b(it|its|that|this|them|that one|this one)\b", re.I)


def earlier_mention(request, names, drop: frozenset[str] = frozenset()) -> NameMatch | None:
    """For "pause it": the name the user mentioned most recently in this conversation (not when a name is quoted).

    Only the user's own turns count (replies list many names). The match is never exact,
    so proposals built on it carry the lower confidence.
    """
    if quoted(request.text) or not _PRONOUN.search(request.text):
        return None
    for item in reversed(request.history):
        if item.role == "user" and (match := find_name(item.text, names, drop)) and match.exact:
            return NameMatch(match.name, exact=False)
    return None
