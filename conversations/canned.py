"""Canned responses as the reply box offers them: the tenant's shortcuts with their variables filled in for one
conversation and the person answering it, so the page's script only swaps `/shortcut` for ready text."""

from conversations.canned_text import filled
from conversations.delivery import display_name
from conversations.models import CannedResponse


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


def offered(conversation, actor) -> list[dict[str, str]]:
    """The tenant's canned responses for the reply box, each `{"shortcut", "text"}`, filled in."""
    values = values_for(conversation, actor)
    responses = CannedResponse.objects.filter(tenant_id=conversation.tenant_id).only("shortcut", "body")
    return [{"shortcut": response.shortcut, "text": filled(response.body, values)} for response in responses]
