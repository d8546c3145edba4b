"""Find and redact personal data in free text.

Lives in the lowest app because every layer needs it: the tool gateway's audit
(agents), conversation monitoring (conversations, admin) and analytics.
Only detectors that are reliable are used: email addresses, phone numbers
(libphonenumber's matcher, which skips dates and order numbers), payment card
numbers that pass the Luhn check, IBANs that pass the mod-97 check, and US
social security numbers written as 123-45-6789.
"""

import re
from dataclasses import dataclass

import phonenumbers
from django.conf import settings

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # email | phone | card | iban | ssn
    start: int
    end: int
    value: str


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _cards(text):
    for m in CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            yield PiiMatch("card", m.start(), m.end(), m.group())


def _phones(text):
    region = settings.PHONE_DEFAULT_REGION or "US"
    for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        yield PiiMatch("phone", m.start, m.end, m.raw_string)


def _regex(kind, pattern, check=None):
    def finder(text):
        for m in pattern.finditer(text):
            if check is None or check(m.group()):
                yield PiiMatch(kind, m.start(), m.end(), m.group())

    return finder


# Order matters: earlier finders win where spans overlap (a card number also looks like a phone).
_FINDERS = [
    _regex("email", EMAIL),
    _regex("iban", IBAN_CANDIDATE, _iban_ok),
    _cards,
    _regex("ssn", SSN),
    _phones,
]


def find_pii(text: str) -> list[PiiMatch]:
    """Every personal-data span in `text`, in order, none overlapping."""
    found: list[PiiMatch] = []
    for finder in _FINDERS:
        for match in finder(text or ""):
            if all(match.end <= f.start or match.start >= f.end for f in found):
                found.append(match)
    return sorted(found, key=lambda m: m.start)


def redact(text: str) -> str:
    """`text` with each personal-data span replaced by its kind, e.g. "[phone]"."""
    if not text:
        return text
    parts, cursor = [], 0
    for match in find_pii(text):
        parts += [text[cursor : match.start], f"[{match.kind}]"]
        cursor = match.end
    return "".join(parts) + text[cursor:]


def redacted_reason(reason) -> str:
    """What is kept of why a send failed: a provider's words may quote the address or number (a bounce's
    "550 <jane@…>"), which the row keeps encrypted, so the reason, also copied to the event log, has it redacted."""
    return redact(str(reason))[:1000]


def redact_data(value):
    """Redact every string inside a JSON-like value (dicts, lists), keys untouched."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_data(item) for item in value]
    return value


def _mask_match(match: PiiMatch) -> str:
    value = match.value
    if match.kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}•••@{domain}"
    digits = [ch for ch in value if ch.isalnum()]
    keep = {"phone": 2, "card": 4, "iban": 2, "ssn": 4}[match.kind]
    hidden = len(digits) - keep
    out, seen = [], 0
    for ch in value:
        if ch.isalnum():
            out.append("•" if seen < hidden else ch)
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def mask(text: str) -> str:
    """`text` for someone who may not see personal data: each span kept only recognisable (p•••@acme.test)."""
    if not text:
        return text
    if EMAIL.fullmatch(text):  # an address field: what find_pii would find, without its phone matcher's cost
        return _mask_match(PiiMatch("email", 0, len(text), text))
    parts, cursor = [], 0
    for match in find_pii(text):
        parts += [text[cursor : match.start], _mask_match(match)]
        cursor = match.end
    return "".join(parts) + text[cursor:]
