"""Reading what people type: names (quoted, exact or nearly right), money, percentages, dates and times."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rapidfuzz import fuzz

# A message that is only a greeting or thanks ("hey, pause X" is a request, not a greeting).
GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening))(\s+(there|team|walker|all|everyone))?\W*$",
    re.I,
)
THANKS = re.compile(r"^\W*(thanks|thank you|thx|cheers)(\s+\w+){0,2}\W*$", re.I)

# Polite lead-ins before an imperative verb: "please", "can you", "let's", ...
REQUEST_START = (
    r"^\W*(?:(?:please|pls|kindly|ok|okay|yes|also|then|and|can you|could you|would you|can we|could we"
    r"|let's|lets|let us|i want to|i'd like to|we should|we need to|go ahead and)[\s,]+)*"
)
# An opening quote follows the start or a space, so apostrophes ("What's", "Sale's") are not quotes.
_QUOTED = re.compile(r"(?:^|(?<=[\s(:]))['\"‘“«](.+?)['\"’”»](?=$|[\s.,!?;:)])")
_MONEY = re.compile(r"(\$)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*(k\b)?(\s*(?:%|percent\b))?", re.I)


def is_greeting(text: str) -> bool:
    return bool(GREETING.match(text.strip()) or THANKS.match(text.strip()))


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


@dataclass(frozen=True)
class Amount:
    value: Decimal
    percent: bool


def parse_amount(text: str) -> Amount | None:
    """The first money amount or percentage in `text`: "$700", "1,200.50", "1.5k", "20%", "15 percent"."""
    match = _MONEY.search(text)
    if match is None:
        return None
    dollar, whole, cents, thousands, percent = match.groups()
    value = Decimal(whole.replace(",", "") + (cents or "")) * (1000 if thousands else 1)
    return Amount(value.quantize(Decimal("0.01"), ROUND_HALF_UP), percent=bool(percent) and not dollar)


# --- Dates and times ----------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+(\d{{4}}))?\b")
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b")
_RELATIVE_DAY = re.compile(r"\b(yesterday|today|tonight|tomorrow)\b")
_DAY_OFFSETS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_TIME_12H = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b\.?")
_TIME_24H = re.compile(r"(?<![\d-])([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_NOON = re.compile(r"\bnoon\b")
_AT_HOUR = re.compile(r"\bat\s+(\d{1,2})\b(?![:.\-/]\d)")
_WHEN_PATTERNS = (_ISO_DATE, _MONTH_DAY, _DAY_MONTH, _WEEKDAY, _RELATIVE_DAY, _TIME_12H, _TIME_24H, _NOON, _AT_HOUR)
DEFAULT_TIME = time(9, 0)


@dataclass(frozen=True)
class When:
    at: datetime  # aware, in the zone of the `now` it was read against
    time_given: bool


def mentions_when(text: str) -> bool:
    """Whether `text` contains something that looks like a date or a time."""
    lowered = text.lower()
    return any(pattern.search(lowered) for pattern in _WHEN_PATTERNS)


def parse_when(text: str, now: datetime) -> When | None:
    """A moment read against `now` (aware, local): "Friday 9am", "tomorrow at 14:00", "2026-12-01 09:30",
    "Dec 1 at 5pm". A date alone means 09:00; a time alone means today; a weekday is the first one still
    ahead. None when nothing can be read or the date does not exist."""
    lowered = text.lower()
    try:
        day = _parse_date(lowered, now.date())
    except ValueError:
        return None
    clock = _parse_time(lowered)
    if day is None and clock is None:
        return None
    moment = datetime.combine(day or now.date(), clock or DEFAULT_TIME, tzinfo=now.tzinfo)
    if (named := _WEEKDAY.search(lowered)) and not _has_date(lowered):
        moment += timedelta(days=(WEEKDAYS.index(named.group(1)) - now.weekday()) % 7)
        if moment <= now:
            moment += timedelta(days=7)
    return When(moment, time_given=clock is not None)


def _has_date(lowered: str) -> bool:
    return any(p.search(lowered) for p in (_ISO_DATE, _RELATIVE_DAY, _MONTH_DAY, _DAY_MONTH))


def _parse_date(lowered: str, today: date) -> date | None:
    """A calendar date (weekdays are resolved by the caller); ValueError when it does not exist."""
    if match := _ISO_DATE.search(lowered):
        return date(*(int(g) for g in match.groups()))
    if match := _RELATIVE_DAY.search(lowered):
        return today + timedelta(days=_DAY_OFFSETS[match.group(1)])
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        if match := pattern.search(lowered):
            month = _MONTHS.index(match.group(month_group)[:3]) + 1
            day, year = int(match.group(day_group)), match.group(3)
            found = date(int(year) if year else today.year, month, day)
            # No year: the next such date, unless it passed within the last month (then it is just past).
            return date(today.year + 1, month, day) if not year and found < today - timedelta(days=31) else found
    return today if _WEEKDAY.search(lowered) else None


def _parse_time(lowered: str) -> time | None:
    if match := _TIME_12H.search(lowered):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute <= 59:
            return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute)
        return None
    if match := _TIME_24H.search(lowered):
        return time(int(match.group(1)), int(match.group(2)))
    if _NOON.search(lowered):
        return time(12, 0)
    if (match := _AT_HOUR.search(lowered)) and int(match.group(1)) <= 23:
        return time(int(match.group(1)), 0)
    return None
