"""SEO: where the tenant ranks (each keyword's latest check against the one before) and target keyword proposals."""

import re

from django.db.models import OuterRef, Subquery
from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agents import formatting as fmt
from agents.actions import ActionType, ProposedAction
from agents.engines.base import EngineReply, EngineRequest
from agents.engines.builtin.common import APPROVAL_NOTE, capabilities
from agents.engines.builtin.parsing import REQUEST_START, clean_phrase, find_name, is_greeting, quoted
from agents.models import KeywordRanking, TargetKeyword

EXAMPLES = [
    "Which keywords gained or lost positions?",
    "How do we rank for hiking boots?",
    "What are our target keywords?",
    "Add 'waterproof hiking boots' as a target keyword",
    "Stop tracking 'rain jacket'",
]
FILLER = frozenset({"the", "a", "an", "keyword", "keywords", "term", "phrase", "target", "please", "our", "my", "we"})
MAX_KEYWORD_LENGTH = 200
SHOWN = 3

REMOVE = re.compile(
    REQUEST_START + r"(?:drop|remove|delete|untrack|stop (?:tracking|targeting)|no longer (?:track|target))\s+"
    r"(?:the\s+)?(?:target\s+)?(?:keyword\s+|term\s+)?(.*?)(?:\s+(?:from|as)\s+.*)?\W*$",
    re.I,
)
ADD = re.compile(
    REQUEST_START + r"(?:add|track|start (?:tracking|targeting)|monitor)\s+(?:the\s+)?(?:keyword\s+|term\s+)?"
    r"(.*?)(?:\s+(?:as|to|in)\s+(?:a\s+|an\s+|our\s+|my\s+|the\s+)?(?:new\s+)?(?:targets?|keywords?|list)\b.*)?\W*$",
    re.I,
)
TARGET_LIST = re.compile(r"\b(targets?|targeted|targeting|track|tracking|tracked|monitor|monitoring)\b", re.I)
MOVERS = re.compile(
    r"\b(gain\w*|lost|los[et]\w*|dropped|drops|climb\w*|fell|fall\w*|mov\w*|chang\w*|improv\w*|declin\w*"
    r"|winners|losers|up|down|seo|rankings|positions|visibility|doing)\b",
    re.I,
)
RANK_FOR = re.compile(r"\b(?:rank\w*|position\w*|where|how)\b.*?\bfor\s+(.+?)\W*$", re.I)


def latest_rankings(tenant) -> list:
    """Each keyword's most recent ranking row."""
    rankings = KeywordRanking.objects.for_tenant(tenant)
    newest = rankings.filter(keyword=OuterRef("keyword")).order_by("-date").values("date")[:1]
    return list(rankings.filter(date=Subquery(newest)))


def respond(request: EngineRequest) -> EngineReply:
    text = request.text.strip()
    tenant = request.tenant
    if not text or is_greeting(text):
        return capabilities("SEO", EXAMPLES, text)
    targets = list(TargetKeyword.objects.for_tenant(tenant))
    if match := REMOVE.search(text):
        return _remove(tenant, targets, _keyword(text, match.group(1)))
    if match := ADD.search(text):
        return _add(tenant, targets, _keyword(text, match.group(1)), bool(quoted(text)))
    latest = latest_rankings(tenant)
    by_keyword = {row.keyword: row for row in latest}
    mentioned = find_name(text, by_keyword)
    if mentioned and mentioned.exact:
        return EngineReply(_keyword_report(by_keyword[mentioned.name], targets))
    if TARGET_LIST.search(text):
        return EngineReply(_target_list(targets, latest))
    if match := RANK_FOR.search(text):
        if mentioned:
            return EngineReply(_keyword_report(by_keyword[mentioned.name], targets))
        asked = clean_phrase(match.group(1), FILLER)
        tracked = fmt.name_list(sorted(by_keyword)) or _("none yet")
        return EngineReply(
            _("I have no ranking data for '%(keyword)s'. Keywords with rankings: %(tracked)s.")
            % {"keyword": asked, "tracked": tracked}
        )
    if MOVERS.search(text):
        return EngineReply(_movers(latest))
    return capabilities("SEO", EXAMPLES, text)


def _keyword(text: str, unquoted: str) -> str:
    phrase = (quoted(text) or [clean_phrase(unquoted, FILLER)])[0]
    return " ".join(phrase.lower().split())


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
