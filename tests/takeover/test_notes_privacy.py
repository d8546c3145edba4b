"""Notes hold personal data: sealed at rest, removed by retention and erasure, included in a person's export."""

from datetime import timedelta

from django.utils import timezone

from conversations import takeover
from conversations.models import ConversationNote
from conversations.retention import apply_message_retention, erase_conversations, export_conversations


def test_a_notes_personal_data_is_sealed_and_masked_for_readers_without_the_right(chatting, support):
    note = takeover.add_note(chatting.pk, actor=support, text="Call her back on +1 415 555 0142 or ada@example.com")
    stored = ConversationNote.objects.values_list("sealed_text", flat=True).get(pk=note.pk)
    assert "555" not in stored and "ada@" not in stored and "⟦phone 1⟧" in stored
    note.refresh_from_db()
    assert note.text.endswith("+1 415 555 0142 or ada@example.com")
    assert note.masked_text == "Call her back on [phone] or [email]"


def test_retention_and_erasure_remove_a_notes_text(chatting, customer, support, tenant):
    old = takeover.add_note(chatting.pk, actor=support, text="Old note about +1 415 555 0142")
    ConversationNote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    recent = takeover.add_note(chatting.pk, actor=support, text="Recent note")
    apply_message_retention()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.text.startswith("[Removed after 365 days") and old.content_removed_at is not None
    assert recent.text == "Recent note"

    (exported,) = export_conversations(customer)
    assert [n["text"] for n in exported["notes"]] == [old.text, "Recent note"]
    erase_conversations(customer, timezone.now())
    recent.refresh_from_db()
    assert recent.text == "[Erased at the person's request]"
