"""Meta's ids as Walker writes them: an ad account is always `act_` and its digits, whatever a person typed."""

import re

_ACCOUNT = re.compile(r"(?:act_)?([0-9]{1,30})", re.IGNORECASE)
_OBJECT = re.compile(r"[0-9]{1,30}")


class InvalidMetaId(ValueError):
    """Not an id Meta could have given; the message says what was expected."""


def account_id(value: str) -> str:
    """`act_123`, `ACT_123`, `123` or ` act_123 ` as `act_123` (the form and the client both call this)."""
    match = _ACCOUNT.fullmatch((value or "").strip())
    if not match:
        raise InvalidMetaId(f"{value!r} is not a Meta ad account id: act_ followed by digits, or the digits alone")
    return f"act_{match.group(1)}"


def object_id(value: str) -> str:
    """A campaign's or a report run's id, checked before it goes into a URL path."""
    if not _OBJECT.fullmatch(str(value)):
        raise InvalidMetaId(f"{value!r} is not a Meta object id (digits only)")
    return str(value)
