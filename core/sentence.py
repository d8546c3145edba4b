"""A sentence kept so that each reader is told it in their own language: its English original (the msgid) and its
figures, rather than the words of whoever's language was active when it was written.

    Sentence(gettext_noop("Approved by %(actor)s."), actor=actor)

`str()` tells it in the active language; `stored()` is the JSON kept beside the English text; `told(stored)` tells
the kept sentence again. A figure may be a sentence itself, or a lazily translated word (a choice's label): both are
kept by their English original and translated when told; anything else is kept as its text (a name, a number,
words a person wrote).
"""

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class Sentence:
    def __init__(self, text: str, **figures):
        self.text = text
        self.figures = figures

    def __str__(self):
        return _tell(self.text, {key: str(value) for key, value in self.figures.items()})

    def in_english(self) -> str:
        with translation.override("en"):
            return str(self)

    def stored(self) -> dict:
        return {"text": self.text, "figures": {key: _kept(value) for key, value in self.figures.items()}}


def _kept(value):
    if isinstance(value, Sentence):
        return value.stored()
    if isinstance(value, Promise):
        with translation.override("en"):
            return {"text": str(value), "figures": {}}
    return str(value)


def _tell(text: str, figures: dict) -> str:
    return gettext(text) % figures


def told(stored) -> str | None:
    """A kept sentence in the active language; None when what was kept cannot be told (another shape, a figure
    missing): the reader shows the English text kept beside it."""
    if not isinstance(stored, dict) or not isinstance(stored.get("text"), str):
        return None
    figures = stored.get("figures") or {}
    if not isinstance(figures, dict):
        return None
    words = {}
    for key, value in figures.items():
        words[key] = told(value) if isinstance(value, dict) else str(value)
        if words[key] is None:
            return None
    try:
        return _tell(stored["text"], words)
    except (KeyError, TypeError, ValueError):
        return None
