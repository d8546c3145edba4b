"""Which conversation an email belongs to, and the headers that let a reply find it again.

Outbound mail carries `Message-ID`, `In-Reply-To`, `References` and a reply-to address holding the
conversation's token. An inbound reply finds its conversation by that address, else by
`In-Reply-To`, else by `References`, else opens a new one (Chatwoot's order).
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from conversations.models import Channel, Conversation, Message

SALT = "walker.email.reply-to"
TOKEN_ADDRESS = re.compile(r"^reply\+(?P<id>[0-9a-f]{32})(?P<sig>[0-9a-f]{16})@", re.IGNORECASE)
REFERENCES_KEPT = 20


def _signature(conversation_hex: str) -> str:
    return salted_hmac(SALT, conversation_hex).hexdigest()[:16]


def reply_address(conversation: Conversation) -> str:
    token = conversation.pk.hex + _signature(conversation.pk.hex)
    return f"reply+{token}@{settings.SENDGRID_INBOUND_DOMAIN}"


def conversation_id_from(addresses: list[str]) -> str | None:
    """The conversation named by a genuine reply+<token> address among `addresses`."""
    for address in addresses:
        match = TOKEN_ADDRESS.match(address.strip())
        if match and constant_time_compare(match["sig"].lower(), _signature(match["id"].lower())):
            return match["id"].lower()
    return None


def message_id_for(message: Message) -> str:
    """The Message-ID of an outbound email, without angle brackets (as stored in channel_message_id)."""
    return f"{message.pk}@{settings.SENDGRID_INBOUND_DOMAIN}"


def bracketed(message_id: str) -> str:
    return f"<{message_id}>"


def headers_for(message: Message) -> dict[str, str]:
    """Message-ID of the reply, and In-Reply-To/References naming the conversation's earlier emails."""
    earlier = list(
        Message.objects.filter(conversation_id=message.conversation_id, channel_message_id__isnull=False)
        .exclude(pk=message.pk)
        .order_by("-created_at")
        .values_list("channel_message_id", "direction")[:REFERENCES_KEPT]
    )
    headers = {"Message-ID": bracketed(message_id_for(message))}
    latest_inbound = next((mid for mid, direction in earlier if direction == Message.Direction.INBOUND), None)
    if latest_inbound:
        headers["In-Reply-To"] = bracketed(latest_inbound)
    if earlier:
        headers["References"] = " ".join(bracketed(mid) for mid, _ in reversed(earlier))
    return headers


def find_conversation(user, *, to: list[str], in_reply_to: str | None, references: list[str]) -> Conversation | None:
    """The user's own conversation this email replies to, by the first key that names one."""
    mine = Conversation.objects.filter(user=user, channel=Channel.EMAIL)
    by_token = conversation_id_from(to)
    if by_token:
        found = mine.filter(pk=by_token).first()
        if found:
            return found
    for keys in ([in_reply_to] if in_reply_to else [], references):
        found = (
            mine.filter(messages__channel=Channel.EMAIL, messages__channel_message_id__in=keys)
            .order_by("-messages__created_at")
            .first()
        )
        if found:
            return found
    return None
