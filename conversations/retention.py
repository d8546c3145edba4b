"""Retention of message content: past its tenant's `message_retention_days`, a message keeps its row (so
counts and metrics stay) but loses its text, media link and personal metadata, replaced by a note. The
staff's internal notes on conversations hold personal data too and lose their text the same way.

Erasure for a person (tenants.erasure) uses the same `remove_content`.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent, ConversationNote, Message
from conversations.privacy import message_text
from tenants.models import Tenant

BATCH_SIZE = 1000
ERASED_CONVERSATIONS_A_BATCH = 500  # a person's conversations whose content one round of statements removes
KEPT_METADATA = ("agent_type", "requested_agent", "approval_id", "reference", "status", "score")
KEPT_ACTION_FIELDS = ("approval_id", "reference", "status", "action_type")


def scrubbed_metadata(metadata: dict) -> dict:
    """What a message keeps of its metadata once its content is gone: routing and outcomes, nothing personal."""
    kept = {key: metadata[key] for key in KEPT_METADATA if key in metadata}
    actions = metadata.get("actions")
    if isinstance(actions, list):
        kept["actions"] = [
            {key: action[key] for key in KEPT_ACTION_FIELDS if key in action}
            for action in actions
            if isinstance(action, dict)
        ]
    return kept


def remove_content(messages, *, note: str, now) -> int:
    """Replace the content of `messages` (a queryset) with `note`; messages already emptied are left alone.

    A few statements a batch, not one a message (a person's erasure empties tens of thousands): the note is sealed
    once by the model's own setter, and only the metadata that holds more than routing is written row by row."""
    emptied = Message(text=note)
    removed = 0
    with transaction.atomic():
        held = messages.filter(content_removed_at__isnull=True).select_for_update(no_key=True, of=("self",))
        rows = list(held.only("pk", "metadata"))
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            Message.objects.filter(pk__in=[row.pk for row in batch]).update(
                sealed_text=emptied.sealed_text, sealed_values=emptied.sealed_values, media_url="",
                content_removed_at=now,
            )  # fmt: skip
            scrubbed = [row for row in batch if _scrub(row)]
            Message.objects.bulk_update(scrubbed, ["metadata"], batch_size=BATCH_SIZE)
            removed += len(batch)
    return removed


def _scrub(message) -> bool:
    """Keep only the routing and outcome of its metadata; whether that changed it."""
    kept = scrubbed_metadata(message.metadata)
    changed, message.metadata = kept != message.metadata, kept
    return changed


def remove_note_content(notes, *, note: str, now) -> int:
    """Replace the text of internal `notes` (a queryset) with `note`; notes already emptied are left alone."""
    removed = 0
    with transaction.atomic():
        for row in notes.filter(content_removed_at__isnull=True).select_for_update(no_key=True, of=("self",)):
            row.text, row.content_removed_at = note, now
            row.save(update_fields=["text", "content_removed_at"])
            removed += 1
    return removed


def apply_message_retention(*, now=None, batch_size: int = BATCH_SIZE) -> int:
    """Remove the content of every message past its tenant's retention period, a batch per transaction."""
    now = now or timezone.now()
    removed = 0
    for tenant_id, days in Tenant.objects.values_list("pk", "message_retention_days"):
        cutoff = now - timedelta(days=days)
        note = f"[Removed after {days} days under the retention policy]"
        expired = Message.objects.filter(tenant_id=tenant_id, created_at__lt=cutoff, content_removed_at__isnull=True)
        while ids := list(expired.values_list("pk", flat=True)[:batch_size]):
            removed += remove_content(Message.objects.filter(pk__in=ids), note=note, now=now)
        old_notes = ConversationNote.objects.filter(
            tenant_id=tenant_id, created_at__lt=cutoff, content_removed_at__isnull=True
        )
        while ids := list(old_notes.values_list("pk", flat=True)[:batch_size]):
            remove_note_content(ConversationNote.objects.filter(pk__in=ids), note=note, now=now)
        ConversationEvent.objects.filter(conversation__tenant_id=tenant_id, created_at__lt=cutoff).delete()
    return removed


# --- a person's conversations, for subject requests (tenants.privacy.personal_data) --------------------------

ERASED_NOTE = "[Erased at the person's request]"


def export_conversations(person) -> list[dict]:
    conversations = person.conversations.prefetch_related("messages", "notes").order_by("started_at")
    return [
        {
            "id": str(conversation.pk),
            "channel": conversation.channel,
            "started_at": conversation.started_at.isoformat(),
            "messages": [
                {
                    "at": message.created_at.isoformat(),
                    "direction": message.direction,
                    "sender": message.sender_type,
                    "text": message_text(message, revealed=True),
                    "media_url": message.media_url,
                }
                for message in conversation.messages.all()
            ],
            "notes": [  # what the staff noted about the conversation: personal data about the person too
                {"at": note.created_at.isoformat(), "text": note.text} for note in conversation.notes.all()
            ],
        }
        for conversation in conversations
    ]


def erase_conversations(person, now) -> int:
    """Every message of the person's conversations loses its content; their replay events go.

    What hangs off the conversations is found by their ids, ERASED_CONVERSATIONS_A_BATCH at a time, not by a join on
    the person: over ten million messages PostgreSQL's sampled statistics guess eight times too many messages a
    conversation, and planned the join as a read of every message (bench/RESULTS.md, "A big tenant at full size").

    Each batch of conversations is locked before its messages are read, as the pipeline locks a conversation to write
    into it (conversations.pipeline.intake): a message being stored meanwhile is committed first and erased with the
    rest, or waits until the erasure has committed."""
    ids = list(person.conversations.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), ERASED_CONVERSATIONS_A_BATCH):
        batch = ids[start : start + ERASED_CONVERSATIONS_A_BATCH]
        list(Conversation.objects.filter(pk__in=batch).order_by("pk").select_for_update(no_key=True).values_list("pk"))
        theirs = {"conversation_id__in": batch}
        changed += remove_content(Message.objects.filter(**theirs), note=ERASED_NOTE, now=now)
        changed += remove_note_content(ConversationNote.objects.filter(**theirs), note=ERASED_NOTE, now=now)
        changed += ConversationEvent.objects.filter(**theirs).delete()[0]
    changed += person.conversations.exclude(metadata={}).update(metadata={})
    return changed
