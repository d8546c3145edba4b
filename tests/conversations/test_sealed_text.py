"""Message text is stored with its personal data lifted out and encrypted; the rest stays searchable."""

import json
from unittest import mock

import pytest
from django.db import connection

from conversations import events
from conversations.models import ConversationEvent, Message
from conversations.normalized import InboundMessage
from conversations.privacy import frame_for_viewer, message_text
from tenants import crypto
from tenants.pii import find_pii
from tenants.privacy.sealing import _sealed, placeholders, seal, unseal
from tests.pipeline import exchange

TEXT = "Call me on +1 415 555 0199 or mail jane.doe@example.com about the Summer Sale"


def _stored(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_sealing_round_trips_and_masks_to_placeholders():
    sealed, values = seal(TEXT)
    assert sealed == "Call me on ⟦phone 1⟧ or mail ⟦email 2⟧ about the Summer Sale"
    assert values == ["+1 415 555 0199", "jane.doe@example.com"]
    assert unseal(sealed, values) == TEXT
    assert placeholders(sealed) == "Call me on [phone] or mail [email] about the Summer Sale"
    assert unseal("typed ⟦phone 7⟧ myself", ["+1 415 555 0199"]) == "typed ⟦phone 7⟧ myself"


def test_a_message_and_its_event_search_their_text_for_personal_data_once(engine, colleague):
    _sealed.cache_clear()
    with mock.patch("tenants.privacy.sealing.find_pii", wraps=find_pii) as searched:
        exchange(InboundMessage(channel="chat", text=TEXT, user_id=colleague.pk))
    texts = [call.args[0] for call in searched.call_args_list]
    assert texts.count(TEXT) == 1  # the message and its message_received event
    assert texts.count("Here is what I found.") == 1  # the answer and its agent_response event


def test_a_kept_sealing_hands_out_its_own_list():
    _, values = seal(TEXT)
    values.append("changed by a caller")
    assert seal(TEXT)[1] == ["+1 415 555 0199", "jane.doe@example.com"]


def test_a_message_is_stored_sealed_and_read_as_written(engine, colleague):
    inbound = exchange(InboundMessage(channel="chat", text=TEXT, user_id=colleague.pk)).inbound
    pk = inbound.pk.hex if connection.vendor == "sqlite" else inbound.pk
    column = _stored("conversations_message", "text", pk)
    assert column == "Call me on ⟦phone 1⟧ or mail ⟦email 2⟧ about the Summer Sale"
    values = _stored("conversations_message", "sealed_values", pk)
    assert "jane" not in values and json.loads(crypto.decrypt(values))[1] == "jane.doe@example.com"
    message = Message.objects.get(pk=inbound.pk)
    assert message.text == TEXT
    assert message_text(message, revealed=False) == "Call me on [phone] or mail [email] about the Summer Sale"
    assert message_text(message, revealed=True) == TEXT
    assert engine.requests[0].text == TEXT  # the built-in engine reads it as written


def test_events_store_the_text_sealed_and_frames_carry_it_as_written(engine, colleague):
    conversation = exchange(InboundMessage(channel="chat", text=TEXT, user_id=colleague.pk)).conversation
    event = ConversationEvent.objects.filter(conversation=conversation, event_type="message_received").get()
    assert "555 0199" not in json.dumps(event.payload) and "jane" not in json.dumps(event.payload)
    [frame] = [f for f in events.replay(conversation.pk, 0) if f["type"] == "message_received"]
    assert frame["text"] == TEXT and "sealed_values" not in frame
    assert frame_for_viewer(frame, revealed=False)["text"] == (
        "Call me on [phone] or mail [email] about the Summer Sale"
    )


def test_changing_the_text_with_update_fields_reseals_it(engine, colleague):
    message = exchange(InboundMessage(channel="chat", text=TEXT, user_id=colleague.pk)).inbound
    message.text = "nothing personal now"
    message.save(update_fields=["text"])
    message = Message.objects.get(pk=message.pk)
    assert (message.sealed_text, message.sealed_values, message.text) == (
        "nothing personal now",
        "",
        "nothing personal now",
    )


@pytest.mark.parametrize("term, found", [("summer sale", True), ("555", False), ("jane.doe", False)])
def test_search_reads_the_text_without_its_personal_data(engine, colleague, term, found):
    exchange(InboundMessage(channel="chat", text=TEXT, user_id=colleague.pk))
    from conversations.models import Conversation
    from conversations.search import matching

    assert Conversation.objects.filter(matching(term)).exists() is found
