"""What any client may send as JSON or text: bounded nesting, and text PostgreSQL can store.

PostgreSQL refuses NUL in text and jsonb, and UTF-8 has no encoding for a lone
surrogate (JSON can still spell one, e.g. "\\ud800"). Both are refused at the door
with a reason, by the API's JSON parser and the chat protocol alike, instead of
failing later as a database error. Deeply nested JSON makes Python's parser raise
RecursionError; it is refused the same way.
"""

import json

from django.utils.translation import gettext

MAX_JSON_DEPTH = 32  # no request Walker reads nests deeper than a few levels


class UnreadableInput(ValueError):
    """The input cannot be taken; the message says why, for the client."""


def load_json(text: str | bytes, *, check_text: bool = True):
    """Parse JSON; raise UnreadableInput when it is not JSON, nests too deep or (check_text) holds text that
    cannot be stored. Without check_text the caller checks the strings it reads itself, to name the field."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UnreadableInput(_too_deep()) from None
    except ValueError as exc:  # includes UnicodeDecodeError
        raise UnreadableInput(gettext("That is not valid JSON: %(problem)s") % {"problem": exc}) from None
    check_value(value, check_text=check_text)
    return value


def _too_deep() -> str:
    return gettext("JSON may nest at most %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return gettext("Text may not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("Text may not contain unpaired surrogate characters.")
    return None


def check_value(value, *, check_text: bool = True) -> None:
    """Walk a parsed JSON value without recursion; raise UnreadableInput for deep nesting or unstorable text."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > MAX_JSON_DEPTH:
            raise UnreadableInput(_too_deep())
        if isinstance(item, dict):
            for key, child in item.items():
                if check_text:
                    _check_text(key)
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and check_text:
            _check_text(item)


def _check_text(text: str) -> None:
    problem = text_problem(text)
    if problem:
        raise UnreadableInput(problem)
