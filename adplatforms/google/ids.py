"""Google Ads customer ids: people write them "123-456-7890", the API takes "1234567890"."""

import re

from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s-]")
_CUSTOMER_ID = re.compile(r"\d{10}")


class InvalidCustomerId(ValueError):
    """Not a Google Ads customer id; the message says so in plain words."""


def customer_id(value: str) -> str:
    """`value` as the ten digits Google Ads takes (dashes and spaces dropped); InvalidCustomerId otherwise."""
    digits = _SEPARATORS.sub("", value or "")
    if not _CUSTOMER_ID.fullmatch(digits):
        raise InvalidCustomerId(
            _("“%(value)s” is not a Google Ads customer id: it has 10 digits, as in 123-456-7890.") % {"value": value}
        )
    return digits
