"""A sentence kept so that each reader is told it in their own language: its English original (the msgid) and its
figures, rather than the words of whoever's language was active when it was written.

    Sentence(gettext_noop("Approved by %(actor)s."), actor=actor)

`str()` tells it in the active language; `stored()` is the JSON kept beside the English text; `told(stored)` tells
the kept sentence again. A figure may be a sentence itself, a lazily translated word (a choice's label) or a word
with its context (`Word`, "paused" as a campaign's state): each is kept by its English original and translated
when told. An amount
(`Money`), a count (`Number`) and an aware datetime are kept as data and written when told, in the active language
and time zone.
Anything else is kept as its text (a name, a number, words a person wrote).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

from core.money import money_exact
from core.when import moment


@dataclass(frozen=True)
class Word:
    """A word translated with its context, as pgettext does; `makemessages` gathers it (Word:1c,2, the tenants app's
    command), as it gathers pgettext_lazy, whose promise does not say its context once made."""

    context: str
    text: str

    def __str__(self):
        return pgettext(self.context, self.text)


@dataclass(frozen=True)
class Number:
    """A count, grouped as the reader's language groups it: "48,200" in English, "48 200" in Spanish."""

    value: int

    def __str__(self):
        return _grouped(self.value)


@dataclass(frozen=True)
class Money:
    """An amount in a currency (ISO code), written with every digit the currency holds."""

    amount: Decimal
    currency: str

    def __str__(self):
        return money_exact(self.amount, self.currency)


class Sentence:
    def __init__(self, text: str, **figures):
        self.text = text
        self.figures = figures

    def __str__(self):
        return _tell(self.text, {key: _written(value) for key, value in self.figures.items()})

    def in_english(self) -> str:
        with translation.override("en"):
            return str(self)

    def stored(self) -> dict:
        return {"text": self.text, "figures": {key: _kept(value) for key, value in self.figures.items()}}


def _written(value) -> str:
    return moment(value) if isinstance(value, datetime) else str(value)


def _kept(value):
    if isinstance(value, Sentence):
        return value.stored()
    if isinstance(value, Promise):
        with translation.override("en"):
            return {"text": str(value), "figures": {}}
    if isinstance(value, Word):
        return {"text": value.text, "figures": {}, "context": value.context}
    if isinstance(value, Money):
        return {"money": str(value.amount), "currency": value.currency}
    if isinstance(value, Number):
        return {"number": str(value.value)}
    if isinstance(value, datetime):
        return {"moment": value.isoformat()}
    return str(value)


def _tell(text: str, figures: dict, context: str | None = None) -> str:
    return (pgettext(context, text) if context else gettext(text)) % figures


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
        words[key] = _told_figure(value) if isinstance(value, dict) else str(value)
        if words[key] is None:
            return None
    try:
        return _tell(stored["text"], words, stored.get("context"))
    except (KeyError, TypeError, ValueError):
        return None


def _told_figure(kept: dict) -> str | None:
    """A figure kept as data (an amount, a count, a moment) written now; a kept sentence or word told again."""
    try:
        if "money" in kept:
            return money_exact(Decimal(kept["money"]), kept["currency"])
        if "number" in kept:
            return _grouped(int(kept["number"]))
        if "moment" in kept:
            return moment(datetime.fromisoformat(kept["moment"]))
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return None
    return told(kept)


def _grouped(value: int) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)
