"""What every built-in agent needs: the tenant's clock, the comparison windows and the "here is what I can do" reply."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.engines.base import EngineReply
from agents.engines.builtin.parsing import GREETING, THANKS, NameMatch, find_name, quoted

APPROVAL_NOTE = gettext_lazy("Nothing changes until someone approves it.")


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


MAX_PERIOD = 90
_PERIOD_COUNT = re.compile(r"\b(?:last|past|previous|over|in|for)\s+(\d{1,3}|two|three|four)\s+(days?|weeks?)\b", re.I)
_PERIOD_WORD = re.compile(r"\b(?:last|past|this|previous)\s+(week|fortnight|month|quarter)\b|\b(yesterday)\b", re.I)
_PERIOD_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90, "yesterday": 1}
_SMALL_NUMBERS = {"two": 2, "three": 3, "four": 4}


def period_days(text: str) -> int | None:
    """The number of complete days a question asks about ("over the last 30 days", "last month",
    "yesterday"), at most MAX_PERIOD; None when it names no period."""
    if match := _PERIOD_COUNT.search(text):
        count = _SMALL_NUMBERS.get(match.group(1).lower()) or int(match.group(1))
        days = count * _PERIOD_DAYS[match.group(2).lower().rstrip("s")]
    elif match := _PERIOD_WORD.search(text):
        days = _PERIOD_DAYS[(match.group(1) or match.group(2)).lower()]
    else:
        return None
    return min(max(days, 1), MAX_PERIOD)


def period_label(days: int) -> str:
    return _("yesterday") if days == 1 else _("last %(days)s days") % {"days": days}


ASKS_WHAT_I_DO = re.compile(
    r"\b(what\s+(?:can|do|could)\s+you\s+do|what\s+are\s+you\s+for|how\s+can\s+you\s+help|help\s+me|"
    r"what\s+can\s+i\s+ask|capabilit\w*)\b|^\W*help\W*$",
    re.I,
)


def capabilities(agent_label: str, examples: list[str], text: str = "") -> EngineReply:
    """The answer to a greeting, to "what can you do?", or to anything the agent did not understand."""
    understood = True
    if THANKS.match(text):
        opening = _("You're welcome!")
    elif ASKS_WHAT_I_DO.search(text):
        opening = _(
            "I'm your %(agent)s agent: I answer from your own data, and I propose changes that a person "
            "in your team approves before anything happens."
        ) % {"agent": agent_label}
    elif GREETING.match(text):
        opening = _("Hi! I'm your %(agent)s agent.") % {"agent": agent_label}
    else:
        opening, understood = _("Sorry, I didn't get that."), False
    # The examples stay in English: they are what the built-in engine reads.
    lines = [opening, _("You can ask me things like:")] + [f"- {example}" for example in examples]
    return EngineReply("\n".join(lines), understood=understood)


_PRONOUN = re.compile(r"\b(it|its|that|this|them|that one|this one)\b", re.I)


def earlier_mention(request, names, drop: frozenset[str] = frozenset(), about_one=None) -> NameMatch | None:
    """For "pause it": what the conversation was last about (not when a name is quoted).

    The user's own turns count, and an answer to a question `about_one` recognises ("which campaign has the
    worst CPA?"), whose subject is the first name it gives; other replies list many names. The match is
    never exact, so proposals built on it carry the lower confidence.
    """
    if quoted(request.text) or not _PRONOUN.search(request.text):
        return None
    turns = list(request.history)
    for position in range(len(turns) - 1, -1, -1):
        item = turns[position]
        if item.role == "user" and (match := find_name(item.text, names, drop)) and match.exact:
            return NameMatch(match.name, exact=False)
        asked = turns[position - 1] if position and turns[position - 1].role == "user" else None
        if item.role == "assistant" and asked and about_one and about_one(asked.text):
            if subject := first_named(item.text, names):
                return NameMatch(subject, exact=False)
    return None


def first_named(text: str, names) -> str | None:
    """The name that appears first in `text` (case-insensitive), if any does."""
    lowered = text.lower()
    found = [(lowered.find(name.lower()), name) for name in names if name.lower() in lowered]
    return min(found)[1] if found else None
