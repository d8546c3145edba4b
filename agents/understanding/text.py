"""Folding text for matching: lower case, no accents, no possessive "'s", punctuation as spaces."""

import re
import unicodedata

_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_KEEP = re.compile(r"[^\w$€%/.,:-]+")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """'¿Cómo va Summer Sale's?' -> 'como va summer sale ?'-like text: words, digits, money and time marks."""
    text = _POSSESSIVE.sub("", strip_accents(text.lower()).replace("’", "'"))
    text = re.sub(r"[¿¡!?;\"“”‘'()\[\]]", " ", text)
    text = re.sub(r"(?<!\d)[.,:](?!\d)", " ", text)  # sentence marks, not "1.5k", "1,200" or "9:30"
    text = re.sub(r"(?<!\d)-|-(?!\d)", " ", text)  # "un-pause", but "2025-12-01" stays a date
    return " ".join(_KEEP.sub(" ", text).split())


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def vocabulary(text: str) -> frozenset[str]:
    """A word list written as lines of prose ("the a an ..."): lists of hundreds of words read and diff
    better as text than as a list literal of one quoted word per line."""
    return frozenset(text.split())
