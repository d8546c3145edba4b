"""Conversations the agents answered and nobody wrote to since: once quiet for SATISFACTION_QUIET_HOURS after the
agents' answer, they are closed (reason `idle`) and their person is asked for a rating, as a person's resolve does.

Only conversations the agents answer now: none a person of the tenant holds or its customer asked for
(conversations.person_asked), none waiting for an approval or with a message still to answer. Rows are claimed
with SKIP LOCKED, so two runs at once (or a message arriving, whose intake holds the row) never close one twice or
under a message: the message keeps it open.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conversations import satisfaction
from conversations.models import Conversation
from conversations.services import close_conversation

BATCH = 200


def close_quiet_conversations(*, now=None) -> int:
    """Close up to BATCH quiet conversations and ask their people to rate them; returns how many."""
    now = now or timezone.now()
    quiet_since = now - timedelta(hours=settings.SATISFACTION_QUIET_HOURS)
    with transaction.atomic():
        quiet = list(
            Conversation.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("tenant", "user")
            .filter(
                status=Conversation.Status.OPEN,
                held_by__isnull=True,
                person_requested_at__isnull=True,  # nobody closes a conversation while it waits for a person
                answered_seq__gt=0,  # the agents answered
                last_inbound_seq=F("answered_seq"),  # and nothing waits for them
                last_message_at__lt=quiet_since,
            )
            .order_by("last_message_at")[:BATCH]
        )
        for conversation in quiet:
            close_conversation(conversation, ended_at=now, reason=Conversation.CloseReason.IDLE)
            satisfaction.ask(conversation, now=now)
    return len(quiet)
