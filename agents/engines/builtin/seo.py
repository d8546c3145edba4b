"""SEO: where the tenant ranks (each keyword's latest check against the one before) and target keyword proposals."""

import re

from django.db.models import OuterRef, Subquery

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
        tracked = fmt.name_list(sorted(by_keyword)) or "none yet"
        return EngineReply(f"I have no ranking data for '{asked}'. Keywords with rankings: {tracked}.")
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
        return EngineReply("Which keyword should I add? E.g. \"add 'waterproof hiking boots' as a target keyword\".")
    if len(keyword) > MAX_KEYWORD_LENGTH:
        return EngineReply(f"That keyword is too long: at most {MAX_KEYWORD_LENGTH} characters, please.")
    if any(t.keyword.lower() == keyword for t in targets):
        return EngineReply(f"'{keyword}' is already a target keyword.")
    volume = _volume(tenant, keyword)
    action = ProposedAction(
        action_type=ActionType.ADD_TARGET_KEYWORD,
        action_data={"keyword": keyword},
        summary=f"Add '{keyword}' as a target keyword",
        estimated_reach=volume,
        confidence=0.9 if was_quoted else 0.8,
    )
    known = f" It gets about {fmt.number(volume)} searches a month." if volume else ""
    return EngineReply(f"Proposed: add '{keyword}' as a target keyword.{known} {APPROVAL_NOTE}", [action])


def _remove(tenant, targets, keyword: str) -> EngineReply:
    names = [t.keyword for t in targets]
    if not keyword:
        return EngineReply(f"Which keyword should I drop? Your targets: {fmt.name_list(names) or 'none yet'}.")
    exact = next((name for name in names if name.lower() == keyword), None)
    close = None if exact else find_name(keyword, names, cutoff=0.85)
    found = exact or (close.name if close else None)
    if found is None:
        return EngineReply(
            f"'{keyword}' isn't one of your target keywords. Your targets: {fmt.name_list(names) or 'none yet'}."
        )
    action = ProposedAction(
        action_type=ActionType.REMOVE_TARGET_KEYWORD,
        action_data={"keyword": found},
        summary=f"Stop targeting '{found}'",
        estimated_reach=_volume(tenant, found),
        confidence=0.9 if exact else 0.7,
    )
    return EngineReply(f"Proposed: drop '{found}' from your target keywords. {APPROVAL_NOTE}", [action])


def _move(row) -> str:
    gained = row.previous_position - row.position
    return f"{row.keyword} #{row.previous_position}→#{row.position} ({fmt.signed(gained, '1', '')})"


def _movers(latest) -> str:
    if not latest:
        return "I don't have any keyword rankings yet."
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
        f"{len(latest)} keywords, average position {average:.1f}. At the latest check: "
        f"{len(gainers)} up, {len(losers)} down, {len(compared) - len(gainers) - len(losers)} unchanged."
    ]
    if gainers:
        lines.append("Gained: " + ", ".join(_move(r) for r in gainers[:SHOWN]))
    if losers:
        lines.append("Lost: " + ", ".join(_move(r) for r in losers[:SHOWN]))
    return "\n".join(lines)


def _keyword_report(row, targets) -> str:
    if row.previous_position is None:
        change = "first check"
    elif row.previous_position == row.position:
        change = "unchanged"
    else:
        direction = "up" if row.position < row.previous_position else "down"
        change = f"{direction} {abs(row.previous_position - row.position)} from #{row.previous_position}"
    target = "yes" if any(t.keyword.lower() == row.keyword.lower() for t in targets) else "no"
    return (
        f"'{row.keyword}': #{row.position} on {row.date.day} {row.date:%b} ({change}). "
        f"{fmt.number(row.search_volume)} searches/month. Page: {row.url}. Target keyword: {target}."
    )


def _target_list(targets, latest) -> str:
    if not targets:
        return "You have no target keywords yet. Say \"add 'hiking boots' as a target keyword\" to start."
    positions = {row.keyword.lower(): row.position for row in latest}
    items = [
        f"{t.keyword} #{positions[t.keyword.lower()]}"
        if t.keyword.lower() in positions
        else f"{t.keyword} (not ranked yet)"
        for t in targets
    ]
    return f"Target keywords ({len(targets)}): {fmt.name_list(items, limit=15)}."
