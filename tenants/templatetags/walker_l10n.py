"""Money in the reader's language: `{{ value|money }}` ("$1,234.50" in English, "1234,50 US$" in Spanish).

Numbers go through Django's localisation (the active language's separators); where the currency sign
goes is a translatable pattern. Python code (admin columns, notifications) calls `money()` directly.
"""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def money(value, places=2) -> str:
    """`value` with `places` decimals, grouped in thousands the active language's way, with its currency sign."""
    if value is None or value == "":
        return "—"
    amount = floatformat(value, f"{int(places)}g")
    # Translators: an amount of money in US dollars; %(amount)s is the number, already formatted.
    return gettext("$%(amount)s") % {"amount": amount}
