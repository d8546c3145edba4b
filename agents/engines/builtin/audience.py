"""Audience Intelligence: segment sizes and growth, and proposals for lookalike and retargeting audiences.

Reach estimates come from the tenant's own segments: a lookalike is about three times its seed
segment; a retargeting audience is the segment that matches its source (else the median segment),
treated as a 30-day audience and scaled to the look-back window.
"""

import re
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext as _

from agents import formatting as fmt
from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities, which_one
from agents.engines.builtin.parsing import clean_phrase, quoted
from agents.models import AudienceSegment
from agents.understanding import Understanding
from agents.understanding.text import fold

FILLER = frozenset({"the", "a", "an", "our", "my", "audience", "audiences", "segment", "segments", "people", "list"})
LOOKALIKE_FACTOR = 3
DEFAULT_LOOKBACK, MAX_LOOKBACK, SEGMENT_DAYS = 30, 180, 30
MAX_NAME_LENGTH = 200
SHOWN = 3

# Checked in order: "visitors who abandoned their cart" are cart abandoners.
SOURCES = {
    "cart_abandoners": re.compile(r"\b(cart\w*|abandon\w*|checkouts?|carrito\w*)\b", re.I),
    "purchasers": re.compile(r"\b(purchas\w*|buyers?|bought|customers?|compr\w*|clientes?)\b", re.I),
    "engaged_social": re.compile(
        r"\b(social|engag\w*|instagram|facebook|tiktok|followers?|redes|seguidores|interactu\w*)\b", re.I
    ),
    "site_visitors": re.compile(r"\b(visit\w*|site|website|traffic|browsers?|sitio|web|tienda online)\b", re.I),
}
SOURCE_LABELS = {
    "cart_abandoners": "Cart abandoners",
    "purchasers": "Purchasers",
    "engaged_social": "Social engagers",
    "site_visitors": "Site visitors",
}
LOOKBACK = re.compile(
    r"\b(?:last|past|previous|within)?\s*(\d+)\s*-?\s*(days?|weeks?|months?|d[ií]as?|semanas?|mes(?:es)?)\b", re.I
)
LOOKBACK_WORDS = {
    **{"week": 7, "fortnight": 14, "month": 30, "quarter": 90, "year": 365},
    **{"semana": 7, "quincena": 14, "mes": 30, "trimestre": 90, "año": 365},
}
LOOKBACK_UNITS = {"day": 1, "día": 1, "dia": 1, "week": 7, "semana": 7, "month": 30, "mes": 30}
CALLED = re.compile(
    r"\b(?:called|named|llamad[oa]|que se llame|con el nombre)\s+(?:(['\"‘“])(.+?)['\"’”]|(.+?)(?=\s+(?:like|based on"
    r"|similar to|of|for|with|who|parecid[oa]|similar|basad[oa]|como|de|para|con)\b|\W*$))",
    re.I,
)
BASIS = re.compile(
    r"\b(?:look-?alike (?:audience )?(?:of|for|from)|like|based on|similar to|modell?ed on|from"
    r"|similar a|parecid[oa] a|basad[oa] en|lookalike de|similar de|como)\s+(.+?)\W*$",
    re.I,
)
SIZE_OF = re.compile(r"\bhow (?:big|large)\s+(?:is|are)\s+(.+?)\W*$", re.I)


def respond(request: EngineRequest, understood: Understanding) -> EngineReply:
    text = request.text.strip()
    intent = understood.intent
    if intent in ("greeting", "thanks", "help") or not text:
        return capabilities(request, understood)
    if understood.ambiguous:
        return which_one(understood.ambiguous)
    segments = list(AudienceSegment.objects.for_tenant(request.tenant))
    by_name = {s.name: s for s in segments}
    segment = by_name.get(understood.name("segment"))
    if intent == ActionType.CREATE_RETARGETING:
        return _retargeting(text, segments)
    if intent == ActionType.CREATE_AUDIENCE:
        return _audience(text, segments, segment, understood)
    if segment is not None and intent in ("segment_report", "segment_list", "unknown"):
        return EngineReply(_segment_report(segment, segments))
    if intent == "segment_growth":
        return EngineReply(_growth(segments))
    if (
        (size_of := SIZE_OF.search(text))
        and (asked := clean_phrase(size_of.group(1), FILLER))
        and asked.lower() not in {"they", "them", "it"}
    ):
        return _unknown(asked, segments)
    if intent in ("segment_list", "segment_report"):
        return EngineReply(_by_size(segments))
    return capabilities(request, understood)


def _unknown(name: str, segments) -> EngineReply:
    """A name that matches none of the tenant's audiences: said back with the real ones, and marked not understood
    (no use as a suggestion for a person to send)."""
    names = fmt.name_list(s.name for s in segments) or _("none yet")
    text = _("I can't find an audience called '%(name)s'. Your audiences: %(names)s.") % {"name": name, "names": names}
    return EngineReply(text, understood=False)


def _name_problem(name: str, segments) -> str | None:
    if len(name) > MAX_NAME_LENGTH:
        return _("That name is too long: at most %(count)s characters, please.") % {"count": MAX_NAME_LENGTH}
    if any(s.name.lower() == name.lower() for s in segments):
        return _("An audience called '%(name)s' already exists. Pick another name, e.g. \"called '%(name)s 2'\".") % {
            "name": name
        }
    return None


def _called(text: str) -> str:
    if match := CALLED.search(text):
        return clean_phrase(match.group(2) or match.group(3))
    return ""


def _lookback(text: str) -> int | None:
    if match := LOOKBACK.search(text):
        unit = match.group(2).lower()
        unit = "mes" if unit.startswith("mes") else unit.rstrip("s")
        return int(match.group(1)) * LOOKBACK_UNITS.get(unit, 1)
    words = r"(week|fortnight|month|quarter|year|semana|quincena|mes|trimestre|año)"
    if match := re.search(rf"\b(?:last|past|previous|[uú]ltim[oa]|pasad[oa])\s+{words}\b", text, re.I):
        return LOOKBACK_WORDS[match.group(1).lower()]
    return None


def _typical_size(segments) -> int:
    return round(median(s.size for s in segments)) if segments else 0


def _retargeting(text: str, segments) -> EngineReply:
    source = next((name for name, pattern in SOURCES.items() if pattern.search(text)), None)
    if source is None:
        return EngineReply(
            _(
                "Who should it target? I can retarget site visitors, cart abandoners, purchasers or people who "
                "engaged on social, e.g. 'create a retargeting audience of cart abandoners from the last 30 days'."
            )
        )
    days = _lookback(text)
    given = days is not None
    days = days if given else DEFAULT_LOOKBACK
    if not 1 <= days <= MAX_LOOKBACK:
        return EngineReply(
            _("The look-back window must be 1 to %(most)s days (%(days)s asked).")
            % {"most": MAX_LOOKBACK, "days": days}
        )
    label = f"{SOURCE_LABELS[source]}, last {days} days"  # the audience's name when none is given: data, not words
    name = _called(text) or label
    if problem := _name_problem(name, segments):
        return EngineReply(problem)
    seed = next((s for s in segments if SOURCES[source].search(s.name)), None)
    base = seed.size if seed else _typical_size(segments)
    reach = round(Decimal(base) * days / SEGMENT_DAYS)
    action = ProposedAction(
        action_type=ActionType.CREATE_RETARGETING,
        action_data={"name": name, "source": source, "lookback_days": days},
        summary=_("Create retargeting audience '%(name)s'") % {"name": name}
        + ("" if name == label else f" ({label.lower()})"),
        estimated_reach=reach,
        confidence=0.85,
        notes={"reach_basis": seed.name if seed else "median segment size"},
    )
    window = "" if given else " " + _("No window given, so %(days)s days.") % {"days": DEFAULT_LOOKBACK}
    return EngineReply(_proposed(action, window, reach), [action])


def _audience(text: str, segments, basis, understood: Understanding) -> EngineReply:
    name = _called(text)
    rest = CALLED.sub(" ", text)
    if basis is not None and name and fold(basis.name) in fold(name) and not BASIS.search(rest):
        basis = None  # the segment's name was only part of the new audience's name
    spoken_basis = BASIS.search(rest)
    if spoken_basis and basis is None and not DESCRIBED.search(rest):
        return _unknown((quoted(spoken_basis.group(1)) or [clean_phrase(spoken_basis.group(1), FILLER)])[0], segments)
    if basis is None and not name:
        name = _described(rest)  # "a segment for people who bought tents" names itself
    if basis is None and not name:
        return EngineReply(
            _(
                "What should the new audience be called, and which audience should it resemble? "
                "E.g. \"create an audience called 'Alpine Hikers' like 'Trail Runners'\" "
                "or 'create a lookalike of Trail Runners'."
            )
        )
    if name:
        if basis:
            summary = _("Create audience '%(name)s' (lookalike of %(basis)s)") % {"name": name, "basis": basis.name}
        else:
            summary = _("Create audience '%(name)s'") % {"name": name}
    else:
        name = f"Lookalike of {basis.name}"  # the new audience's name: data, not words
        summary = _("Create a lookalike audience of %(basis)s") % {"basis": basis.name}
    if problem := _name_problem(name, segments):
        return EngineReply(problem)
    if basis:
        description = f"Lookalike of {basis.name} ({fmt.number(basis.size)} people)"
        exact = understood.entity is not None and understood.entity.exact and not understood.from_context
        reach, confidence = basis.size * LOOKALIKE_FACTOR, 0.9 if exact else 0.7
    else:
        about = re.search(r"\b(?:of|for|with|who|de|para|con|que)\s+(.+?)\W*$", rest, re.I)
        description = clean_phrase(about.group(1)) if about else ""
        reach, confidence = _typical_size(segments), 0.8
    action = ProposedAction(
        action_type=ActionType.CREATE_AUDIENCE,
        action_data={"name": name, "description": description, "based_on_segment_id": str(basis.id) if basis else None},
        summary=summary,
        estimated_reach=reach,
        confidence=confidence,
    )
    return EngineReply(_proposed(action, "", reach), [action])


def _proposed(action, window: str, reach: int) -> str:
    size = " " + _("Expect roughly %(count)s people.") % {"count": fmt.number(reach)} if reach else ""
    return _("Proposed: %(summary)s.") % {"summary": action.summary} + f"{window}{size} {APPROVAL_NOTE}"


DESCRIBED = re.compile(
    r"\b(?:for|of|with|de|para|con)\s+((?:people|customers|users|buyers|shoppers|visitors|subscribers|everyone|those"
    r"|personas|clientes|usuarios|compradores|visitantes|suscriptores|quienes|los que)\b.+?)\W*$",
    re.I,
)
NAME_LENGTH = 60


def _described(text: str) -> str:
    """A name taken from who the audience is for: "People who bought tents"."""
    found = DESCRIBED.search(text)
    if not found:
        return ""
    phrase = clean_phrase(found.group(1))[:NAME_LENGTH].strip()
    return phrase[:1].upper() + phrase[1:]


def _growth_text(segment) -> str:
    return fmt.signed(segment.weekly_growth, "0.1", "%")


def _segment_report(segment, segments) -> str:
    ranked = sorted(segments, key=lambda s: (-s.weekly_growth, s.name))
    place = ranked.index(segment) + 1
    description = f" {segment.description}" if segment.description else ""
    return (
        _("%(name)s: %(size)s people, %(growth)s last week (#%(place)s of %(count)s by growth).")
        % {
            "name": segment.name,
            "size": fmt.number(segment.size),
            "growth": _growth_text(segment),
            "place": place,
            "count": len(segments),
        }
        + description
    )


def _growth(segments) -> str:
    if not segments:
        return _("You have no audience segments yet.")
    ranked = sorted(segments, key=lambda s: (-s.weekly_growth, s.name))
    growing = [s for s in ranked if s.weekly_growth > 0][:SHOWN]
    shrinking = [s for s in reversed(ranked) if s.weekly_growth < 0][:SHOWN]
    lines = []
    if growing:
        lines.append(_("Fastest growing (last week):"))
        lines += [
            _("%(place)s. %(name)s %(growth)s (%(size)s people)")
            % {"place": i, "name": s.name, "growth": _growth_text(s), "size": fmt.number(s.size)}
            for i, s in enumerate(growing, 1)
        ]
    else:
        lines.append(_("None of your audiences grew last week."))
    if shrinking:
        shrunk = ", ".join(f"{s.name} {_growth_text(s)}" for s in shrinking)
        lines.append(_("Shrinking: %(audiences)s.") % {"audiences": shrunk})
    return "\n".join(lines)


def _by_size(segments) -> str:
    if not segments:
        return _("You have no audience segments yet.")
    ranked = sorted(segments, key=lambda s: (-s.size, s.name))
    total = fmt.number(sum(s.size for s in segments))
    items = [f"{s.name} {fmt.number(s.size)}" for s in ranked]
    return _("Your %(count)s audiences (%(total)s people in all, largest first): %(audiences)s.") % {
        "count": len(segments),
        "total": total,
        "audiences": fmt.name_list(items, limit=10),
    }
