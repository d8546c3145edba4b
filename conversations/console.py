"""Live notices of human takeover on the admin console's feed (/ws/console/), for the people who watch
conversations. They name the step, the person of the tenant who took it and the conversation; never a
message's or a note's text."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import reverse

from hitl.console import console_group

STEPS = {
    "taken_over": "took over",
    "assigned": "assigned",
    "replied": "replied in",
    "noted": "added a note to",
    "released": "handed back to the agents",
    "resolved": "resolved",
}


def notify(conversation, step: str, *, actor: str) -> None:
    """After commit, to the tenant's consoles and the superusers'."""
    message = {
        "type": "console.conversation",
        "step": step,
        "conversation_id": str(conversation.pk),
        "text": f"{actor} {STEPS[step]} conversation {str(conversation.pk)[:8]}",
        "link": reverse("admin:conversations_conversation_change", args=[conversation.pk]),
        "tenant_id": str(conversation.tenant_id),
    }
    for group in (console_group(conversation.tenant_id), console_group("all")):
        transaction.on_commit(
            lambda group=group: async_to_sync(get_channel_layer().group_send)(group, message), robust=True
        )
