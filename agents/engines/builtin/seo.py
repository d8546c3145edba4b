"""SEO: where the tenant ranks (each keyword's latest check against the one before) and target keyword proposals."""

import re

from django.db.models import OuterRef, Subquery
from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agents import formatting as fmt
from agents.action_specs.phrasings import ES_TRACK
from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities, which_one
from agents.engines.builtin.parsing import clean_phrase, find_name, quoted
from agents.models import KeywordRanking, TargetKeyword
from agents.understanding import Understanding
from agents.understanding.text import fold, vocabulary

FILLER = vocabulary("the a an keyword keywords term phrase target please our my we la el las los palabra clave")
MAX_KEYWORD_LENGTH = 200
SHOWN = 3

# The verbs and the words around a keyword, taken off to leave the keyword (over folded text).
LEAD = r"^(?:(?:please|ok|also|can you|could you|we should|let's|lets|i want to|por favor|quiero|puedes|tambien)\s+)*"
ADD = re.compile(
    LEAD + r"(?:(?:start|begin)\s+(?:tracking|targeting|monitoring)|add|track|monitor|target|(?:we )?should target"
    rf"|anadir|anade|agregar|agrega|incorpora|incluye|mete|(?:empieza|empezar|comienza) a {ES_TRACK}"
    r"|sigue|seguir|rastrea|posiciona|posicionar|monitorea|monitoriza|trackea|trackear)\b"
)
REMOVE = re.compile(
    LEAD + r"(?:(?:stop|quit)\s+(?:tracking|targeting|monitoring)|drop|remove|delete|untrack"
    rf"|(?:we )?no longer (?:need to )?(?:track|target)|deja\w* de {ES_TRACK}|ya no (?:\w+ )?{ES_TRACK}"
    r"|(?:ya )?no (?:sigas|sigamos|sigan)|quita|elimina|borra|saca)\b"
)
AROUND = re.compile(
    r"\s+(?:too|also|as well|tambien)\s*$|"
    r"\b(?:as|to|from|in|into|of|on)\s+(?:a |an |our |my |the )?(?:new )?(?:target )?(?:keywords?|targets?|list)\b.*$"
    r"|\b(?:como|a|de|en|desde)\s+(?:una |la |las |nuestras |los )?(?:nueva )?(?:palabras? clave|objetivos?|lista)\b.*$"
    r"|^\s*(?:the |a |la |el )?(?:target )?(?:keyword|term|palabra clave|termino)\s+"
)
RANK_FOR = re.compile(r"\b(?:rank\w*|position\w*|posici\w*|where|how|donde)\b.*?\b(?:for|para)\s+(.+?)\W*$", re.I)


def latest_rankings(tenant) -> list:
    """Each keyword's most recent ranking row."""
    rankings = KeywordRanking.objects.for_tenant(tenant)
    newest = rankings.filter(keyword=OuterRef("keyword")).order_by("-date").values("date")[:1]
    return list(rankings.filter(date=Subquery(newest)))


def respond(request: EngineRequest, understood: Understanding) -> EngineReply:
    text = request.text.strip()
    tenant = request.tenant
    intent = understood.intent
    if intent in ("greeting", "thanks", "help") or not text:
        return capabilities(request, understood)
    if understood.ambiguous:
        return which_one(understood.ambiguous)
    targets = list(TargetKeyword.objects.for_tenant(tenant))
    named = understood.name("keyword")
    if intent == ActionType.REMOVE_TARGET_KEYWORD:
        spoken = quoted(text) or [_keyword(text, REMOVE)]
        return _remove(
            tenant, targets, (spoken[0] if spoken[0] and not understood.from_context else named or "").lower()
        )
    if intent == ActionType.ADD_TARGET_KEYWORD:
        spoken = quoted(text)
        return _add(tenant, targets, (spoken[0] if spoken else _keyword(text, ADD)).lower().strip(), bool(spoken))
    latest = latest_rankings(tenant)
    by_keyword = {row.keyword.lower(): row for row in latest}
    if named and named.lower() in by_keyword and intent in ("keyword_report", "keyword_movers", "unknown"):
        return EngineReply(_keyword_report(by_keyword[named.lower()], targets))
    if intent == "target_list":
        return EngineReply(_target_list(targets, latest))
    if match := RANK_FOR.search(text):
        asked = clean_phrase(match.group(1), FILLER)
        tracked = fmt.name_list(sorted(by_keyword)) or _("none yet")
        return EngineReply(
            _("I have no ranking data for '%(keyword)s'. Keywords with rankings: %(tracked)s.")
            % {"keyword": asked, "tracked": tracked}
        )
    if intent in ("keyword_movers", "keyword_report"):
        return EngineReply(_movers(latest))
    return capabilities(request, understood)


def _keyword(text: str, verbs: re.Pattern) -> str:
    """The keyword a request names, without its verb and the words around it ("add X as a target keyword",
    "sigue la palabra clave X")."""
    phrase = AROUND.sub(" ", verbs.sub(" ", fold(text), count=1))
    return clean_phrase(" ".join(phrase.split()), FILLER)


def _volume(tenant, keyword: str) -> int:
    row = KeywordRanking.objects.for_tenant(tenant).filter(keyword__iexact=keyword).order_by("-date").first()
    return row.search_volume if row else 0


def _add(tenant, targets, keyword: str, was_quoted: bool) -> EngineReply:
    if not keyword:
        return EngineReply(_("Which keyword should I add? E.g. \"add 'waterproof hiking boots' as a target keyword\"."))
    if len(keyword) > MAX_KEYWORD_LENGTH:
        return EngineReply(
            _("That keyword is too long: at most %(count)s characters, please.") % {"count": MAX_KEYWORD_LENGTH}
        )
    if any(t.keyword.lower() == keyword for t in targets):
        return EngineReply(_("'%(keyword)s' is already a target keyword.") % {"keyword": keyword})
    volume = _volume(tenant, keyword)
    action = ProposedAction(
        action_type=ActionType.ADD_TARGET_KEYWORD,
        action_data={"keyword": keyword},
        summary=_("Add '%(keyword)s' as a target keyword") % {"keyword": keyword},
        estimated_reach=volume,
        confidence=0.9 if was_quoted else 0.8,
    )
    known = " " + _("It gets about %(count)s searches a month.") % {"count": fmt.number(volume)} if volume else ""
    return EngineReply(
        _("Proposed: add '%(keyword)s' as a target keyword.") % {"keyword": keyword} + f"{known} {APPROVAL_NOTE}",
        [action],
    )


def _remove(tenant, targets, keyword: str) -> EngineReply:
    names = [t.keyword for t in targets]
    if not keyword:
        return EngineReply(
            _("Which keyword should I drop? Your targets: %(names)s.")
            % {"names": (fmt.name_list(names) or _("none yet"))}
        )
    exact = next((name for name in names if name.lower() == keyword), None)
    close = None if exact else find_name(keyword, names, cutoff=0.85)
    found = exact or (close.name if close else None)
    if found is None:
        return EngineReply(
            _("'%(keyword)s' isn't one of your target keywords. Your targets: %(names)s.")
            % {"keyword": keyword, "names": (fmt.name_list(names) or _("none yet"))}
        )
    action = ProposedAction(
        action_type=ActionType.REMOVE_TARGET_KEYWORD,
        action_data={"keyword": found},
        summary=_("Stop targeting '%(keyword)s'") % {"keyword": found},
        estimated_reach=_volume(tenant, found),
        confidence=0.9 if exact else 0.7,
    )
    return EngineReply(
        _("Proposed: drop '%(keyword)s' from your target keywords.") % {"keyword": found} + f" {APPROVAL_NOTE}",
        [action],
    )


def _move(row) -> str:
    gained = row.previous_position - row.position
    return f"{row.keyword} #{row.previous_position}→#{row.position} ({fmt.signed(gained, '1', '')})"


def _movers(latest) -> str:
    if not latest:
        return _("I don't have any keyword rankings yet.")
    compared = [row for row in latest if row.previous_position is not None]
    gainers = sorted(
        (r for r in compared if r.position < r.previous_position),
        key=lambda r: (r.position - r.previous_position, r.keyword),
    )
    losers = sorted(
        (r for r in compared if r.position > r.previous_position),
        key=lambda r: (r.previous_position - r.position, r.keyword),
    )
    average = sum(row.position for row in latest) / len(latest)
    lines = [
        _(
            "%(count)s keywords, average position %(average)s. At the latest check: "
            "%(up)s up, %(down)s down, %(same)s unchanged."
        )
        % {
            "count": len(latest),
            "average": number_format(average, 1, use_l10n=True),
            "up": len(gainers),
            "down": len(losers),
            "same": len(compared) - len(gainers) - len(losers),
        }
    ]
    if gainers:
        lines.append(_("Gained: %(moves)s") % {"moves": ", ".join(_move(r) for r in gainers[:SHOWN])})
    if losers:
        lines.append(_("Lost: %(moves)s") % {"moves": ", ".join(_move(r) for r in losers[:SHOWN])})
    return "\n".join(lines)


def _keyword_report(row, targets) -> str:
    if row.previous_position is None:
        change = _("first check")
    elif row.previous_position == row.position:
        change = _("unchanged")
    else:
        moved = {"places": abs(row.previous_position - row.position), "previous": row.previous_position}
        if row.position < row.previous_position:
            change = _("up %(places)s from #%(previous)s") % moved
        else:
            change = _("down %(places)s from #%(previous)s") % moved
    target = _("yes") if any(t.keyword.lower() == row.keyword.lower() for t in targets) else _("no")
    return _(
        "'%(keyword)s': #%(position)s on %(day)s (%(change)s). "
        "%(volume)s searches/month. Page: %(url)s. Target keyword: %(target)s."
    ) % {
        "keyword": row.keyword,
        "position": row.position,
        "day": dateformat.format(row.date, "j M"),
        "change": change,
        "volume": fmt.number(row.search_volume),
        "url": row.url,
        "target": target,
    }


def _target_list(targets, latest) -> str:
    if not targets:
        return _("You have no target keywords yet. Say \"add 'hiking boots' as a target keyword\" to start.")
    positions = {row.keyword.lower(): row.position for row in latest}
    items = [
        f"{t.keyword} #{positions[t.keyword.lower()]}"
        if t.keyword.lower() in positions
        else _("%(keyword)s (not ranked yet)") % {"keyword": t.keyword}
        for t in targets
    ]
    return _("Target keywords (%(count)s): %(keywords)s.") % {
        "count": len(targets),
        "keywords": fmt.name_list(items, limit=15),
    }
