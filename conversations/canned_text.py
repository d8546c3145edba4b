"""The text of a canned response: the variables it may name and how they are filled. Text only, no models, so the
model validates with it without importing the inbox (conversations.canned) that reads the model."""

import re
import string

from django.conf import settings

VARIABLES = ("first_name", "last_name", "agent_name", "company")  # what a canned response's text may name
_FIELD = re.compile(r"^\w+$")


def unknown_variables(body: str) -> list[str]:
    """What in {braces} is not a plain variable, as written: a typo such as {firstname} would be sent as written,
    and a format or conversion ({first_name:>300000000}, {first_name!r}) is never applied."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(body)]
    except ValueError:  # an unpaired brace: tell it as what it is
        return ["{"]
    unknown = set()
    for name, spec, conversion in fields:
        if name is None:
            continue
        if name not in VARIABLES or not _FIELD.match(name) or spec or conversion:
            unknown.add(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return sorted(unknown)


def filled(body: str, values: dict[str, str]) -> str:
    """The text with its variables filled, never longer than a reply may be (INBOUND_MAX_CHARS); a text with
    anything else in braces is offered as written."""
    text = body.format_map(values) if not unknown_variables(body) else body
    return text[: settings.INBOUND_MAX_CHARS]
