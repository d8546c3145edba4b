"""Money in the reader's language: `{{ value|money }}` ("$1,234.50" in English, "1234,50 US$" in Spanish), and in
another currency `{{ value|money_in:"JPY" }}` ("¥9,000"; "9000 ¥" in Spanish).

Numbers go through Django's localisation (the active language's separators); where the currency sign
goes is a translatable pattern. Python code (admin columns, notifications) calls `money()` directly.
"""

from django import template
from django.template.defaultfilters import floatformat

from core import currencies
from core.money import with_sign

register = template.Library()


@register.filter
def money(value, places=None, currency="USD") -> str:
    """`value` in `currency` with `places` decimals (by default the currency's own: 2 for dollars, none for yen; never
    more than it has), grouped in thousands the active language's way, with its sign."""
    if value is None or value == "":
        return "—"
    digits = currencies.places(currency)
    if places is not None:
        digits = min(int(places), digits)
    return with_sign(floatformat(value, f"{digits}g"), currency)


@register.filter
def money_in(value, currency) -> str:
    """`value` in `currency` (an ISO code) with every digit it has: `{{ cost|money_in:approval.currency }}`."""
    return money(value, currency=currency or "USD")
