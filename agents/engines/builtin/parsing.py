"""Reading what people type, for the agents' own slot readers: quoted phrases, names said nearly right, lead-ins.

Amounts and times are read by agents.understanding (amounts, times), in English and Spanish."""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

# Polite lead-ins before an imperative verb: "please", "can you", "let's", ...
REQUEST_START = (
    r"^\W*(?:(?:please|pls|kindly|ok|okay|yes|also|then|and|can you|could you|would you|can we|could we"
    r"|let's|lets|let us|i want to|i'd like to|we should|we need to|go ahead and)[\s,]+)*"
)
# An opening quote follows the start or a space, so apostrophes ("What's", "Sale's") are not quotes.
_QUOTED = re.compile(r"(?:^|(?<=[\s(:]))['\"‘“«](.+?)['\"’”»](?=$|[\s.,!?;:)])")


def quoted(text: str) -> list[str]:
    return [q.strip() for q in _QUOTED.findall(text) if q.strip()]


def tokens(text: str, drop: frozenset[str] = frozenset()) -> list[str]:
    """Lower-case words without punctuation or possessive 's; `drop` removes filler words."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return [w for w in re.findall(r"[a-z0-9]+", text) if w not in drop]


@dataclass(frozen=True)
class NameMatch:
    name: str
    exact: bool


PARTIAL_SHARE = 0.6  # a name is also meant when 60% of its words (at least 2) are said in a row, in order


def find_name(text: str, names, drop: frozenset[str] = frozenset(), cutoff: float = 0.8) -> NameMatch | None:
    """The name in `names` that `text` mentions: the longest exact mention, else the closest near-miss.

    Filler words (`drop`, e.g. "campaign") are ignored on both sides, so "Summer Sale campaign" finds
    "Summer Sale". A near-miss is a misspelling (rapidfuzz's ratio over a window of the text as long as the
    name) or most of a long name said in a row ("the draft about trail running shoes" finds "Trail
    running shoes buyer's guide"). A quoted phrase, when present, is the only part of the text considered.
    """
    said = [tokens(s, drop) for s in quoted(text) or [text]]
    exact, exact_length, fuzzy, fuzzy_ratio = None, 0, None, 0.0
    for name in names:
        core = tokens(name, drop) or tokens(name)
        target = " ".join(core)
        for words in said:
            if core and _contains(words, core):
                if len(target) > exact_length:
                    exact, exact_length = name, len(target)
                continue
            ratio = max(_misspelt(words, core, target), _said_mostly(words, core))
            if ratio > fuzzy_ratio:
                fuzzy, fuzzy_ratio = name, ratio
    if exact is not None:
        return NameMatch(exact, exact=True)
    return NameMatch(fuzzy, exact=False) if fuzzy_ratio >= cutoff else None


def _misspelt(words: list[str], core: list[str], target: str) -> float:
    best = 0.0
    for size in {max(len(core) - 1, 1), len(core), len(core) + 1}:
        for start in range(len(words) - size + 1):
            best = max(best, fuzz.ratio(" ".join(words[start : start + size]), target) / 100)
    return best


def _said_mostly(words: list[str], core: list[str]) -> float:
    """How sure a long name is meant when a run of its words is said (0.0 when the run is too short)."""
    longest = 0
    for start in range(len(core)):
        for end in range(len(core), start + 1, -1):
            if end - start > longest and _contains(words, core[start:end]):
                longest = end - start
                break
    share = longest / len(core) if core else 0
    return 0.8 + 0.2 * share if longest >= 2 and share >= PARTIAL_SHARE else 0.0


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def clean_phrase(phrase: str, drop: frozenset[str] = frozenset()) -> str:
    """A phrase the user typed, trimmed of quotes, punctuation and leading/trailing filler words."""
    words = phrase.strip(" \t'\"‘’“”.,!?;:").split()
    while words and words[0].lower() in drop:
        words.pop(0)
    while words and words[-1].lower().strip(".,!?") in drop:
        words.pop()
    return " ".join(words).strip(" '\"‘’“”.,!?;:")
