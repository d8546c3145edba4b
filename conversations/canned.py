"""Canned responses as the reply box offers them: the tenant's shortcuts with their variables filled in for one
conversation and the person answering it, so the page's script only swaps `/shortcut` for ready text."""

import re
import string

from conversations.delivery import display_name
from conversations.models import CannedResponse

VARIABLES = ("first_name", "last_name", "agent_name", "company")  # what a canned response's text may name
_FIELD = re.compile(r"^\w+$")


def unknown_variables(body: str) -> list[str]:
    """The names in {braces} that are no variable (a typo such as {firstname} would be sent as written)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError:  # an unpaired brace: tell it as what it is
        return ["{"]
    return sorted({name for name in names if name not in VARIABLES or not _FIELD.match(name)})


def values_for(conversation, actor) -> dict[str, str]:
    """The variables for a reply in `conversation` by `actor`: the customer's names (not personal data to the
    colleagues who answer them), the replying person's name and the tenant's."""
    person = conversation.user
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "agent_name": display_name(actor),
        "company": conversation.tenant.name,
    }


def filled(body: str, values: dict[str, str]) -> str:
    return body.format_map(values) if not unknown_variables(body) else body


def offered(conversation, actor) -> list[dict[str, str]]:
    """The tenant's canned responses for the reply box, each `{"shortcut", "text"}`, filled in."""
    values = values_for(conversation, actor)
    responses = CannedResponse.objects.filter(tenant_id=conversation.tenant_id).only("shortcut", "body")
    return [{"shortcut": response.shortcut, "text": filled(response.body, values)} for response in responses]
