"""A budget change in any usual form: "$700", "700 dollars", "700/day", "700 al día", "1.5k", "1,5k",
"€600", "double", "2x", "in half", "a la mitad", "by 20 %", "un 20 %", "by 200", "an extra $100", and
fractions in words ("by a quarter", "by two thirds", "1/4", "un tercio", "una quinta parte").

A fraction is a share of today's budget, up or down as the verb says: "by half" is half as much again when
it goes up, while "in half" and "a la mitad" are always half of it.

Money is read as the tenant's currency whatever sign is typed: Walker keeps one currency per tenant.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from agents.action_specs.phrasings import BUDGET_DOWN, BUDGET_UP
from agents.understanding.text import fold

CENT = Decimal("0.01")
_NUMBER = re.compile(
    r"(?P<prep>\b(?:to|by|at|a|hasta|en|un|una|de)\s+)?(?P<sign>[$€]|us\$)?\s*"
    r"(?P<digits>\d+(?:[.,]\d+)*)\s*(?P<k>k\b|mil\b)?\s*(?P<percent>%|percent\b|por ?ciento\b)?"
)
FACTORS = [
    (re.compile(r"\b(double|twice|duplic\w*|dobl[ae]\w*|el doble|al doble)\b"), Decimal(2)),
    (re.compile(r"\b(triple|tripl\w*)\b"), Decimal(3)),
    (re.compile(r"\b(quadruple|cuadrupl\w*|cuadruple)\b"), Decimal(4)),
    (re.compile(r"\b(halve|in half|a la mitad|por la mitad)\b"), Decimal("0.5")),
]
MULTIPLE = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*x\b|\bx\s*(\d+(?:[.,]\d+)?)\b")  # "2x", "x3"
# Fractions of today's budget: (numerator word, denominator word); "a"/"un" is one.
FRACTION = re.compile(
    r"\b(?P<by>by\s+|en\s+)?(?P<count>a|an|one|two|three|four|un|una|dos|tres|cuatro)?\s*(?:la\s+)?"
    r"(?P<part>half|halves|thirds?|quarters?|fifths?|tenths?|mitad|medio|tercios?|cuartos?"
    r"|quintas? partes?|decimas? partes?)\b"
)
DIGIT_FRACTION = re.compile(r"\b(?P<top>\d{1,2})\s*/\s*(?P<bottom>\d{1,2})\b(?!\s*[/:])")
PARTS = {
    **{"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5},
    **{"tenth": 10, "tenths": 10, "mitad": 2, "medio": 2, "tercio": 3, "tercios": 3, "cuarto": 4, "cuartos": 4},
    **{"quinta parte": 5, "quintas partes": 5, "decima parte": 10, "decimas partes": 10},
}
COUNTS = {"two": 2, "three": 3, "four": 4, "dos": 2, "tres": 3, "cuatro": 4}
SETTING = re.compile(
    r"\b(make|set|put|change|pon|ponle|ponlo|ponla|cambia|fija|deja|dejalo|dejala)\s+(?:it|that|them|lo|la)?\s*"
    r"(?:to|at|en|a)?\s*[$€]?\s*$"
)  # "…, make it 275": the amount right after a setting verb is the new budget, whatever came before
RELATIVE = re.compile(r"\b(add|extra|more|additional|another|less|off|mas|menos|adicional(es)?|anade|agrega)\b")
NOT_DAILY = re.compile(
    r"\b(a|per|each|every|al|por|cada)\s+(week|month|year|semana|mes|ano)\b|/\s*(week|wk|month|mo|semana|mes)\b"
    r"|\b(weekly|monthly|semanal|mensual)\b"
)
UP = tuple(re.compile(p) for p in BUDGET_UP)
DOWN = tuple(re.compile(p) for p in BUDGET_DOWN)


@dataclass(frozen=True)
class BudgetChange:
    """What was asked: `absolute` (a new amount), `by` (an amount or percentage up or down) or `factor`."""

    kind: str  # absolute | by | factor
    value: Decimal
    percent: bool = False
    direction: int = 0  # +1 up, -1 down, 0 not said
    weekly: bool = False  # the amount was per week, month or year: budgets are daily

    def applied_to(self, old: Decimal) -> Decimal | None:
        """The new daily budget from `old`; None when a relative change says no direction."""
        if self.kind == "absolute":
            return self.value
        if self.kind == "factor":
            return (old * self.value).quantize(CENT, ROUND_HALF_UP)
        if self.direction == 0:
            return None
        change = old * self.value / 100 if self.percent else self.value
        return (old + self.direction * change).quantize(CENT, ROUND_HALF_UP)


def number(digits: str, thousands: bool) -> Decimal | None:
    """ "1,200" and "1.200" are twelve hundred; "1.5" and "1,5" one and a half; "1,5k" fifteen hundred."""
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) and not thousands:
        digits = re.sub(r"[.,]", "", digits)
    elif re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{1,2}", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", digits):
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return value * 1000 if thousands else value


def fraction(folded: str) -> Decimal | None:
    """The share of today's budget a fraction names ("a quarter" 0.25, "two thirds" 0.666…, "1/4"), or None."""
    if digits := DIGIT_FRACTION.search(folded):
        top, bottom = int(digits.group("top")), int(digits.group("bottom"))
        return Decimal(top) / Decimal(bottom) if 0 < top < bottom else None
    for match in FRACTION.finditer(folded):
        if not (match.group("count") or match.group("by")):
            continue  # "this quarter", "el primer cuarto": a period, not a share
        count = COUNTS.get(match.group("count") or "", 1)
        part = PARTS[re.sub(r"\s+", " ", match.group("part"))]
        return Decimal(count) / Decimal(part) if count < part else None
    return None


def direction(folded: str) -> int:
    down = any(p.search(folded) for p in DOWN)
    up = any(p.search(folded) for p in UP)
    return -1 if down and not up else 1 if up and not down else 0


def budget_change(text: str) -> BudgetChange | None:
    """The change `text` asks for (names already taken out of it), or None when it states none."""
    folded = fold(text)
    weekly = bool(NOT_DAILY.search(folded))
    for pattern, factor in FACTORS:
        if pattern.search(folded):
            return BudgetChange("factor", factor, weekly=weekly)
    if multiple := MULTIPLE.search(folded):
        return BudgetChange("factor", number(multiple.group(1) or multiple.group(2), False), weekly=weekly)
    if (share := fraction(folded)) is not None:
        said = direction(folded)
        if said == 0 and share == Decimal("0.5"):
            return BudgetChange("factor", share, weekly=weekly)  # "la mitad" alone: half of it
        return BudgetChange("by", share * 100, percent=True, direction=said, weekly=weekly)
    found = [m for m in _NUMBER.finditer(folded) if m.group("digits")]
    if not found:
        return None
    # A number after "to"/"a"/"hasta" is the target; else the first number with a money or percent mark.
    match = next((m for m in found if (m.group("prep") or "").strip() in ("to", "a", "hasta", "at")), None)
    match = match or next((m for m in found if m.group("sign") or m.group("percent") or m.group("k")), found[0])
    value = number(match.group("digits"), bool(match.group("k")))
    if value is None:
        return None
    percent = bool(match.group("percent"))
    prep = (match.group("prep") or "").strip()
    said_direction = direction(folded)
    setting = re.search(r"\b(set|make|put|change|pon|ponle|ponlo|ponla|cambia|fija|deja|dejalo|dejala)\b", folded)
    if SETTING.search(folded[: match.start("digits")]) and not percent and prep not in ("by", "un", "una"):
        kind = "absolute"
    elif prep in ("by", "un", "una") or percent or RELATIVE.search(folded) or (prep == "en" and not setting):
        kind = "by"
    elif prep == "" and not setting and re.search(r"\b(le|ble)\b|\w+le\b", folded.split(match.group(0))[0]):
        kind = "by"  # "súbele 50", "bájale 50 a Summer Sale"
    else:
        kind = "absolute"
    return BudgetChange(kind, value.quantize(CENT, ROUND_HALF_UP), percent, said_direction, weekly)
