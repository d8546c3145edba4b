"""A person's latest turns on their other channels, so a follow-up continues what they were just talking about:
"raise it by 20 %" on WhatsApp a few minutes after asking about Summer Sale in the chat is about Summer Sale.

Read only when the message's own conversation said nothing within WINDOW (its own recent turns are the context),
and only the same person's, in the same tenant, within WINDOW.

Why half an hour: someone who moves from the chat at their desk to WhatsApp on their phone does so in one sitting,
minutes apart; the agents answer at once, so a follow-up comes within minutes of its question. Past half an hour,
"it" is more likely a new subject than the old one, and reading the old one would propose a change to a campaign the
person no longer has in mind (it would still wait for approval, but the person would have to notice and correct it).
"""

from datetime import timedelta

from conversations.models import Message

WINDOW = timedelta(minutes=30)


def recent_elsewhere(message: Message, history: list[Message], turns: int) -> list[Message]:
    """The person's latest `turns` messages within WINDOW before `message` in their other conversations of the
    tenant, newest first; none when `history` (the message's own conversation) has a turn within WINDOW."""
    since = message.created_at - WINDOW
    if any(m.created_at >= since for m in history):
        return []
    conversation = message.conversation
    return list(
        Message.objects.filter(
            tenant_id=conversation.tenant_id,
            conversation__user_id=conversation.user_id,
            created_at__gte=since,
            created_at__lt=message.created_at,
        )
        .exclude(conversation_id=conversation.pk)
        .order_by("-created_at")[:turns]
    )
