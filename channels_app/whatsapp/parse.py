"""Reading Twilio's inbound WhatsApp form into one value, or a reason why it cannot be read."""

import re
from dataclasses import dataclass

import phonenumbers
from django.http import QueryDict

from core.errors import WalkerError

SID = re.compile(r"^(SM|MM|SS)[0-9a-fA-F]{32}$")
MAX_MEDIA = 10  # WhatsApp sends at most one; Twilio's form allows ten
CONTENT_TYPES = {"image": "image", "audio": "audio", "video": "video"}


class BadPayload(WalkerError):
    """The form is not a Twilio WhatsApp message; `detail` says what is wrong."""


@dataclass(frozen=True)
class TwilioMessage:
    sid: str
    sender: str  # E.164, without the whatsapp: prefix
    to: str
    body: str  # Twilio's ProfileName (the sender's WhatsApp display name) is not read: Walker has no use for it
    button_payload: str
    media: list[tuple[str, str]]  # (url, content type)

    @property
    def content_type(self) -> str:
        if not self.media:
            return "text"
        kind = self.media[0][1].split("/", 1)[0]
        return CONTENT_TYPES.get(kind, "document")


def e164(raw: str) -> str:
    """A number as Twilio writes it, in E.164. Only its shape is checked: Twilio vouches the number exists,
    and fictional test numbers (+1 555 …) must still reach the polite "unknown sender" answer."""
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{raw[:40]!r} is not a phone number in international format (+country code)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_number(form: QueryDict, field: str) -> str:
    raw = form.get(field, "")
    if not raw.startswith("whatsapp:"):
        raise BadPayload("bad_address", f"{field} must be a whatsapp: address, got {raw[:40]!r}.")
    try:
        return e164(raw.removeprefix("whatsapp:"))
    except ValueError as error:
        raise BadPayload("bad_address", f"{field}: {error}") from None


def parse(form: QueryDict) -> TwilioMessage:
    sid = form.get("MessageSid", "")
    if not SID.match(sid):
        raise BadPayload("bad_sid", "MessageSid is missing or not a Twilio message SID.")
    try:
        count = int(form.get("NumMedia", "0") or "0")
    except ValueError:
        raise BadPayload("bad_media", "NumMedia must be a number.") from None
    if not 0 <= count <= MAX_MEDIA:
        raise BadPayload("bad_media", f"NumMedia must be between 0 and {MAX_MEDIA}.")
    media = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}", "")
        if not url.startswith("https://"):
            raise BadPayload("bad_media", f"MediaUrl{index} is missing or not an https URL.")
        media.append((url[:1000], form.get(f"MediaContentType{index}", "application/octet-stream")[:100]))
    body = form.get("Body", "")
    if "\x00" in body:
        raise BadPayload("bad_body", "Body holds a NUL character.")
    return TwilioMessage(
        sid=sid,
        sender=whatsapp_number(form, "From"),
        to=whatsapp_number(form, "To"),
        body=body,
        button_payload=form.get("ButtonPayload", "")[:200],
        media=media,
    )
