"""Money in the active language: the amount grouped its way, the currency's sign or code where it puts it.
English reads "$3,410" and "€10.50"; Spanish "3 410 US$" and "10,50 €". Here, under every app, so that a kept
sentence (core.sentence) can tell an amount in each reader's language."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

from core import currencies


def rounded(value: Decimal, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def money(value: Decimal, currency: str = "USD") -> str:
    """$41.20 under a thousand, $3,410 from a thousand up (¥5,000: a currency without cents never shows any)."""
    whole = abs(Decimal(value)) >= 1000 or currencies.places(currency) == 0
    return _in_currency(value, "1" if whole else _quantum(currency), currency)


def money_exact(value: Decimal, currency: str = "USD") -> str:
    """Every digit the currency holds: "$700.00", "¥5,000", "€10.50"."""
    return _in_currency(value, _quantum(currency), currency)


def _quantum(currency: str) -> str:
    digits = currencies.places(currency)
    return "0." + "0" * (digits - 1) + "1" if digits else "1"


def _in_currency(value: Decimal, places: str, currency: str) -> str:
    amount = rounded(value, places)
    written = number_format(abs(amount), decimal_pos=_decimals(places), use_l10n=True, force_grouping=True)
    minus = "-" if amount < 0 else ""
    return minus + with_sign(written, currency)  # the console's patterns: "$1,234" in English, "1 234 US$" in Spanish


def _decimals(places: str) -> int:
    return len(places.partition(".")[2])


def with_sign(amount: str, currency: str) -> str:
    """An amount already written as a number, with its currency's sign or code where the active language puts it."""
    code = currency.upper()
    if code == "USD":
        # Translators: an amount of money in US dollars; %(amount)s is the number, already formatted.
        return gettext("$%(amount)s") % {"amount": amount}
    if sign := currencies.sign(code):
        # Translators: an amount with its currency's sign, e.g. "€10.50" or "¥5,000"; Spanish writes "10,50 €".
        return gettext("%(sign)s%(amount)s") % {"sign": sign, "amount": amount}
    # Translators: an amount with its currency's ISO code, e.g. "CHF 12.50"; Spanish writes "12,50 CHF".
    return gettext("%(code)s %(amount)s") % {"code": code, "amount": amount}
