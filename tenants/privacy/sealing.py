"""Sealed text: free text with its personal data lifted out, so the rest can stay searchable in clear.

`seal("Call me on +1 415 555 0199")` gives `("Call me on ⟦phone 1⟧", ["+1 415 555 0199"])`: the text is
stored with numbered placeholders and the values beside it, encrypted (`seal_for_storage`). Masked
readers see `placeholders()` ("Call me on [phone]") without anything being decrypted; the person the
text belongs to, and those who reveal it, read `unseal()`.
"""

import functools
import json
import re

from django.conf import settings

from tenants import crypto
from tenants.pii import find_pii

TOKEN = re.compile(r"⟦([a-z]+) (\d+)⟧")


def seal(text: str) -> tuple[str, list[str]]:
    sealed, values = _sealed(text, settings.PHONE_DEFAULT_REGION)
    return sealed, list(values)


@functools.lru_cache(maxsize=4)
def _sealed(text: str, phone_region: str) -> tuple[str, tuple[str, ...]]:
    """Kept for the last few texts: a message and its event seal the same text one after the other,
    and finding personal data (libphonenumber's matcher above all) is the costly part. `phone_region`
    is part of the key because the phones found depend on it."""
    parts, values, cursor = [], [], 0
    for match in find_pii(text):
        values.append(match.value)
        parts += [text[cursor : match.start], f"⟦{match.kind} {len(values)}⟧"]
        cursor = match.end
    return "".join(parts) + text[cursor:], tuple(values)


def unseal(sealed: str, values: list[str]) -> str:
    """The text as written. A placeholder with no value (typed by the writer themselves) stays as it is."""

    def value(token: re.Match) -> str:
        index = int(token[2]) - 1
        return values[index] if 0 <= index < len(values) else token[0]

    return TOKEN.sub(value, sealed) if values else sealed


def placeholders(sealed: str) -> str:
    """The sealed text as a masked reader sees it: "⟦phone 1⟧" becomes "[phone]"."""
    return TOKEN.sub(lambda token: f"[{token[1]}]", sealed)


def seal_for_storage(text: str) -> tuple[str, str]:
    """The sealed text and its values as one encrypted token ("" when the text holds no personal data)."""
    sealed, values = seal(text or "")
    return sealed, crypto.encrypt(json.dumps(values)) if values else ""


def unseal_from_storage(sealed: str, token: str) -> str:
    return unseal(sealed, json.loads(crypto.decrypt(token))) if token else sealed
