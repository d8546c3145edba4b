"""No personal data in logs or error reports: phone numbers, email addresses and card numbers are replaced by
their kind ("[phone]") in every string a log line or a Sentry event carries, whoever logged it.

Detection is `tenants.pii`'s. The masking runs last, on what is about to be written: the event and every value
bound to it (a request's path, an exception's text and traceback), for Walker's own structlog loggers and for any
library's stdlib logger alike, so a library that logs a request body cannot leak what it holds.
"""

import datetime
from urllib.parse import unquote_plus

from tenants.pii import find_pii, redact

# Ids Walker, Celery or Sentry make (a UUID, a number, a trace id, a request id `tenants.log_context` checked) and
# times, wherever they sit: never personal data, and masked they could no longer be followed (a UUID's or a trace
# id's digits can pass for a card number).
TRUSTED_KEYS = frozenset(
    {"request_id", "task_id", "parent_task_id", "tenant_id", "user_id", "socket_id", "timestamp", "level"}
    | {"event_id", "trace_id", "span_id", "parent_span_id", "start_timestamp"}
)


def _could_hold_personal_data(text: str) -> bool:
    """Cheap first look: every detected kind holds a digit or an @ (most log lines hold neither)."""
    return "@" in text or any(char.isdigit() for char in text)


def _scrub_text(text: str) -> str:
    """A URL's query writes an address as pat%40acme.test and a number as %2B1+415...: read it decoded, and write
    it decoded where that shows something to mask."""
    if not _could_hold_personal_data(text):
        return text
    masked = redact(text)
    if "%" in text or "+" in text:
        decoded = unquote_plus(masked)
        if decoded != masked and find_pii(decoded):
            return redact(decoded)
    return masked


def scrub(value):
    """`value` with personal data masked in every string inside it (dict keys too, values of TRUSTED_KEYS left
    as they are); numbers long enough to be a phone or a card are read as text; other objects become their
    text, masked."""
    if isinstance(value, str):
        return _scrub_text(value)
    if value is None or isinstance(value, (bool, float, datetime.date)):
        return value
    if isinstance(value, int):
        masked = redact(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, dict):
        return {scrub(key): item if key in TRUSTED_KEYS else scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(item) for item in value]
    return scrub(str(value))


def mask_personal_data(logger, method_name, event_dict):
    """structlog processor: the event dict with personal data masked, Walker's own ids left as they are."""
    return scrub(event_dict)
