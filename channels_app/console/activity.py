"""Conversation activity for the consoles open in this process, read from the conversations' stored events.

A message in (`message_received`) or an answer out (`agent_response`) moves the inbox: its rows, previews and tab
counts, and an open conversation page. The answers are written by Celery workers, whose channel layer does not reach
daphne on the embedded default (in-memory), so this process's reader (follow.py) looks for new events every
CONSOLE_POLL_SECONDS, as it does for approval events, and the same frames reach a console whatever the layer.

A customer's message on a conversation a person holds is not activity: the intake tells its holder
(`customer_wrote`, conversations.console), and a person's own steps are takeover notices.
"""

from django.utils import timezone

from conversations.console import activity_message
from conversations.events import EventKind
from conversations.models import ConversationEvent

ACTIVITY = (EventKind.MESSAGE_RECEIVED, EventKind.AGENT_RESPONSE)


def new_activity(tenant_ids: set[str] | None, seen: dict, lookback) -> list[dict]:
    """Activity events written in the last `lookback` that `seen` does not hold (for `tenant_ids`; None: all),
    oldest first, each as the console message of its conversation's step."""
    events = ConversationEvent.objects.filter(
        created_at__gte=timezone.now() - lookback, event_type__in=ACTIVITY
    ).exclude(pk__in=list(seen))
    if tenant_ids is not None:
        events = events.filter(conversation__tenant_id__in=tenant_ids)
    events = events.only(
        "created_at", "event_type", "conversation__id", "conversation__tenant_id", "conversation__held_by_id"
    )
    found = []
    for event in events.select_related("conversation").order_by("created_at", "pk"):
        seen[event.pk] = event.created_at
        conversation = event.conversation
        if event.event_type == EventKind.MESSAGE_RECEIVED and conversation.held_by_id is not None:
            continue
        found.append(
            {**activity_message(conversation.pk, conversation.tenant_id), "at": event.created_at, "row": event.pk}
        )
    return found
