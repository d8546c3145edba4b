"""Short plain-text pieces for chat replies (WhatsApp shows no tables or markdown); their money is core.money's.

Numbers and dates follow the active language through Django's localisation: English reads
"3.4%", "Fri 6 Jun 09:00"; Spanish "3,4 %", "vie 6 jun 09:00".
"""

from datetime import datetime
from decimal import Decimal

from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.money import money as money  # the replies' money, as every app writes it (fmt.money)
from core.money import money_exact as money_exact
from core.money import rounded

MAX_REPLY_CHARS = 1000


def _decimal(value: Decimal) -> str:
    """A rounded Decimal as written (no grouping), with the active language's decimal separator."""
    return number_format(value, decimal_pos=max(-value.as_tuple().exponent, 0), use_l10n=True)


def not_available() -> str:
    return _("n/a")


def plural(count: int, word: str) -> str:
    """English only (the caller's word gets an "s"); translated replies use ngettext instead."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def number(value) -> str:
    return number_format(int(rounded(Decimal(value), "1")), use_l10n=True, force_grouping=True)


def _percent_sign(text: str) -> str:
    # Translators: a percentage; Spanish puts a (no-break) space before the sign.
    return _("%(number)s%%") % {"number": text}


def percent(value: Decimal | None, places: str = "0.1") -> str:
    return not_available() if value is None else _percent_sign(_decimal(rounded(value, places)))


def times(value: Decimal | None) -> str:
    """A ratio such as ROAS: 3.4x."""
    return not_available() if value is None else f"{_decimal(rounded(value, '0.1'))}x"


def signed(value: Decimal, places: str, suffix: str) -> str:
    """+6%, -0.2 pt, +0.3x; a change that rounds to nothing is shown without a sign."""
    change = rounded(value, places)
    if change == 0:
        return _with_suffix(_decimal(abs(change)), suffix)
    return ("+" if change > 0 else "") + _with_suffix(_decimal(change), suffix)


def _with_suffix(text: str, suffix: str) -> str:
    return _percent_sign(text) if suffix == "%" else f"{text}{suffix}"


def change_percent(current: Decimal | None, previous: Decimal | None) -> str:
    """Relative change as a whole percentage, or n/a when there is nothing to compare with."""
    if current is None or not previous:
        return not_available()
    return signed((Decimal(current) - Decimal(previous)) / Decimal(previous) * 100, "1", "%")


def change_absolute(current: Decimal | None, previous: Decimal | None, places: str, suffix: str) -> str:
    if current is None or previous is None:
        return not_available()
    return signed(Decimal(current) - Decimal(previous), places, suffix)


def local_time(moment: datetime, zone) -> str:
    """Fri 6 Jun 09:00 in the tenant's zone."""
    return dateformat.format(moment.astimezone(zone), "D j M H:i")  # names in the active language


def local_day(moment: datetime, zone) -> str:
    """6 Jun, in the tenant's zone."""
    return dateformat.format(moment.astimezone(zone), "j M")


def name_list(names, limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    if len(names) <= limit:
        return shown
    return _("%(names)s and %(count)s more") % {"names": shown, "count": len(names) - limit}


def clip(text: str, limit: int = MAX_REPLY_CHARS) -> str:
    """Cut a reply to `limit` characters at a line break where possible."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut.rstrip() + "…"
