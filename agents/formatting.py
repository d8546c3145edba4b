"""Short plain-text pieces for chat replies (WhatsApp shows no tables or markdown)."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

MAX_REPLY_CHARS = 1000


def _round(value: Decimal, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def money(value: Decimal) -> str:
    """$41.20 under a thousand, $3,410 from a thousand up."""
    return _dollars(value, "1" if abs(Decimal(value)) >= 1000 else "0.01")


def money_exact(value: Decimal) -> str:
    return _dollars(value, "0.01")


def _dollars(value: Decimal, places: str) -> str:
    rounded = _round(value, places)
    return f"{'-' if rounded < 0 else ''}${abs(rounded):,}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def number(value) -> str:
    return f"{int(_round(Decimal(value), '1')):,}"


def percent(value: Decimal | None, places: str = "0.1") -> str:
    return "n/a" if value is None else f"{_round(value, places)}%"


def times(value: Decimal | None) -> str:
    """A ratio such as ROAS: 3.4x."""
    return "n/a" if value is None else f"{_round(value, '0.1')}x"


def signed(value: Decimal, places: str, suffix: str) -> str:
    """+6%, -0.2 pt, +0.3x; a change that rounds to nothing is shown without a sign."""
    rounded = _round(value, places)
    if rounded == 0:
        return f"{abs(rounded)}{suffix}"
    return f"{'+' if rounded > 0 else ''}{rounded}{suffix}"


def change_percent(current: Decimal | None, previous: Decimal | None) -> str:
    """Relative change as a whole percentage, or n/a when there is nothing to compare with."""
    if current is None or not previous:
        return "n/a"
    return signed((Decimal(current) - Decimal(previous)) / Decimal(previous) * 100, "1", "%")


def change_absolute(current: Decimal | None, previous: Decimal | None, places: str, suffix: str) -> str:
    if current is None or previous is None:
        return "n/a"
    return signed(Decimal(current) - Decimal(previous), places, suffix)


def local_time(moment: datetime, zone) -> str:
    """Fri 6 Jun 09:00 in the tenant's zone."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def local_day(moment: datetime, zone) -> str:
    """6 Jun, in the tenant's zone."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b}"


def name_list(names, limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def clip(text: str, limit: int = MAX_REPLY_CHARS) -> str:
    """Cut a reply to `limit` characters at a line break where possible."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut.rstrip() + "…"
