"""When to publish, in English or Spanish, read in the tenant's zone: "monday 9am", "friday at noon",
"tomorrow morning", "el lunes a las 9", "mañana por la tarde", "12 de junio a las 10", "Dec 1 at 5pm".

Weekdays, today/tomorrow and the parts of the day are read here (dateparser reads neither "el lunes" nor
"mañana por la mañana"); other dates ("June 12", "12/06", "in 3 days", "dentro de 2 días") by dateparser,
with no network and no model. A date alone means 09:00; a time alone today; a weekday the next one ahead.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

from agents.understanding.text import fold

WEEKDAYS = {
    **{day: n for n, day in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])},
    **{day: n for n, day in enumerate(["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"])},
    **{day: n for n, day in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
}
RELATIVE_DAYS = [
    (re.compile(r"\b(day after tomorrow|pasado manana)\b"), 2),
    (re.compile(r"\b(tomorrow|tmrw)\b|(?<!por la )(?<!en la )(?<!de la )(?<!esta )\bmanana\b"), 1),
    (re.compile(r"\b(today|tonight|this (morning|afternoon|evening)|hoy|esta (manana|tarde|noche))\b"), 0),
    (re.compile(r"\b(yesterday|ayer)\b"), -1),
]
PARTS_OF_DAY = [
    (re.compile(r"\b(noon|midday|mediodia)\b"), time(12)),
    (re.compile(r"\b(midnight|medianoche)\b"), time(0)),
    (re.compile(r"\b(morning|por la manana|de la manana|en la manana|esta manana)\b"), time(9)),
    (re.compile(r"\b(afternoon|por la tarde|en la tarde|esta tarde)\b"), time(15)),
    (re.compile(r"\b(evening|tonight|por la noche|esta noche)\b"), time(19)),
]
_TIME_12H = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b")
_TIME_24H = re.compile(r"(?<![\d/-])([01]?\d|2[0-3])[:h]([0-5]\d)\b")
_AT_HOUR = re.compile(r"\b(?:at|a las|a la|@)\s+(\d{1,2})\b(?![:./-]\d)")
_PM = re.compile(r"\b(de la tarde|de la noche|in the (afternoon|evening)|pm)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\b")
_NEXT = re.compile(r"\b(next|proximo|proxima|que viene)\b")
_DATE_WORDS = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}(/\d{2,4})?\b"
    r"|\b\d{1,2}(st|nd|rd|th)?( of| de)? [a-z]{3,}\b|\b[a-z]{3,}\.? \d{1,2}(st|nd|rd|th)?\b"
    r"|\b(in|dentro de|en) \d+ (days?|weeks?|dias?|semanas?)\b|\bnext week\b|\bproxima semana\b"
)
DEFAULT_TIME = time(9)


@dataclass(frozen=True)
class When:
    at: datetime  # aware, in the zone of `now`
    time_given: bool


def mentions_when(text: str) -> bool:
    folded = fold(text)
    return bool(
        _clock(folded)
        or _WEEKDAY.search(folded)
        or any(p.search(folded) for p, _ in RELATIVE_DAYS)
        or _date_phrase(folded)
    )


def parse_when(text: str, now: datetime, language: str | None = None) -> When | None:
    """The moment `text` names, read against `now` (aware, local); None when it names none or a date that
    does not exist."""
    folded = fold(text)
    clock = _clock(folded)
    try:
        day = _day(folded, now, language)
    except ValueError:  # a date that does not exist ("2025-13-01")
        return None
    if day is None and clock is None:
        return None
    moment = datetime.combine(day or now.date(), clock or DEFAULT_TIME, tzinfo=now.tzinfo)
    if day is None and moment <= now and not re.search(r"\b(today|hoy)\b", folded):
        moment += timedelta(days=1)  # "at 9am" said after nine: tomorrow's
    weekday = _WEEKDAY.search(folded)
    if weekday and _has_weekday_only(folded):
        moment += timedelta(days=(WEEKDAYS[weekday.group(1)] - now.weekday()) % 7)
        if moment <= now or (_NEXT.search(folded) and moment.date() - now.date() < timedelta(days=1)):
            moment += timedelta(days=7)
    return When(moment, time_given=clock is not None)


def _has_weekday_only(folded: str) -> bool:
    return not (_date_phrase(folded) or any(p.search(folded) for p, _ in RELATIVE_DAYS[:2]))


def _clock(folded: str) -> time | None:
    if match := _TIME_12H.search(folded):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute <= 59:
            return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute)
        return None
    if match := _TIME_24H.search(folded):
        return time(int(match.group(1)), int(match.group(2)))
    if match := _AT_HOUR.search(folded):
        hour = int(match.group(1))
        if hour <= 23:
            return time(hour + 12 if _PM.search(folded) and hour < 12 else hour)
    for pattern, at in PARTS_OF_DAY:
        if pattern.search(folded):
            return at
    return None


def _date_phrase(folded: str) -> str | None:
    without_time = _TIME_12H.sub(" ", _TIME_24H.sub(" ", _AT_HOUR.sub(" ", folded)))
    match = _DATE_WORDS.search(without_time)
    return match.group(0) if match else None


def _day(folded: str, now: datetime, language: str | None) -> date | None:
    for pattern, offset in RELATIVE_DAYS:
        if pattern.search(folded):
            return now.date() + timedelta(days=offset)
    if iso := re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", folded):
        return date(*(int(part) for part in iso.groups()))  # year-month-day only; ValueError if none such
    if phrase := _date_phrase(folded):
        base = now.replace(tzinfo=None)
        settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "REQUIRE_PARTS": ["day"]}
        languages = [language] if language in ("en", "es") else ["en", "es"]
        if re.search(r"\d{1,2}/\d{1,2}", phrase):
            settings["DATE_ORDER"] = "MDY" if language == "en" else "DMY"
        found = dateparser.parse(phrase, languages=languages, settings=settings)
        if found is None:
            raise ValueError(phrase)
        return found.date()
    if _WEEKDAY.search(folded):
        return now.date()
    return None
