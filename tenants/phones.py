"""Phone numbers are stored in E.164 (+14155550100) so channels can match senders exactly."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

EXAMPLE = "+1 415 555 0100"


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return `raw` in E.164, or raise ValidationError saying what is wrong with it."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.", code="required")
    try:
        parsed = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"“{text}” is not a phone number we can read. Write it with its country code, e.g. {EXAMPLE}.",
            code="invalid",
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            f"“{text}” is not a valid phone number (wrong length or unused prefix for its country).",
            code="invalid",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
