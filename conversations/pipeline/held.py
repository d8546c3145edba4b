"""A new request that would replace the person's own request still waiting for approval: asked first.

Filing it would supersede the waiting one (hitl.services.conflicts), which is right when someone else asked
for the same target, but the person may have meant something else ("sube brand search a 400" read the other
way, or a second idea about the same campaign). So the proposal is held on the answer (its message's
metadata, HELD_KEY) with a question in the person's language, and filed only when their next message says
yes; no, or anything else, leaves their waiting request as it is. A message that says it replaces ("no,
make it 900", "make it 800", "actually…", "…instead", "mejor ponlo en…", "en su lugar") has already said so.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from agents.actions import ProposedAction
from agents.understanding.text import fold
from conversations.models import Message

HELD_KEY = "held"
YES = re.compile(
    r"^(yes|yeah|yep|sure|ok|okay|go ahead|do it|replace( it)?|si|vale|claro|dale|adelante|hazlo"
    r"|reemplaza\w*|sustituye\w*|cambia\w*)( (yes|si|please|por favor|replace it|reemplazala|reemplazalo))*$"
)
NO = re.compile(
    r"^(no|nope|keep( it| the first( one)?| mine)?|leave it|cancel( it)?|dejala|dejalo|mantenla|mantenlo|olvidalo)"
    r"( (thanks|gracias|keep it|leave it|dejala|dejalo|mantenla|mantenlo))*$"
)  # a whole answer: "no, make it 900" is a new request, not a no


REPLACING = re.compile(
    r"^(no|nope|actually|rather|sorry|mejor|perdon|en realidad|(make|set|change|put) (it|that)|ponlo|ponla|dejalo"
    r"|dejala)\b|\b(instead|rather than|change (it|that) to"
    r"|en (su )?lugar|en vez|cambialo a|cambiala a)\b"
)


def replacing(text: str) -> bool:
    """Whether the message itself says it replaces what was asked before."""
    return bool(REPLACING.search(fold(text)))


def question(held) -> str:
    """What the answer asks about each held proposal, in the active language."""
    return "\n\n".join(
        _(
            "You already asked for “%(older)s” (%(reference)s), and it is still waiting for approval. Should "
            "“%(newer)s” replace it? Answer yes to replace it, or no to keep it."
        )
        % {"older": waiting.action_summary, "reference": waiting.reference, "newer": action.summary}
        for action, waiting in held or ()
    )


def stored(held) -> dict:
    """The held proposals as the answer's metadata keeps them (JSON)."""
    return {
        "actions": [_as_dict(action) for action, _waiting in held],
        "replaces": [waiting.reference for _action, waiting in held],
    }


def answered(text: str, history: list[Message]) -> tuple[bool, list[ProposedAction], list[str]] | None:
    """(yes, the held proposals, the references they replace) when `text` answers the question of the latest
    answer in `history`; None when that answer held nothing or `text` is neither yes nor no."""
    latest = next((m for m in reversed(history) if m.direction == Message.Direction.OUTBOUND), None)
    held = latest.metadata.get(HELD_KEY) if latest is not None else None
    if not held:
        return None
    said = fold(text).replace(",", " ").strip(" .!")
    said = " ".join(said.split())
    if YES.match(said):
        return True, [_from_dict(item) for item in held["actions"]], held["replaces"]
    if NO.match(said):
        return False, [], held["replaces"]
    return None


def kept(references: list[str]) -> str:
    return _("OK: %(references)s stays as it is, and I filed nothing new.") % {"references": ", ".join(references)}


def _as_dict(action: ProposedAction) -> dict:
    return {
        "action_type": action.action_type,
        "action_data": action.action_data,
        "summary": action.summary,
        "estimated_cost": str(action.estimated_cost),
        "estimated_reach": action.estimated_reach,
        "confidence": action.confidence,
        "notes": action.notes,
    }


def _from_dict(item: dict) -> ProposedAction:
    return ProposedAction(**{**item, "estimated_cost": Decimal(item["estimated_cost"])})
