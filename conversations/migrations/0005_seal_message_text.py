"""Personal data in message text is lifted out and encrypted beside it (tenants.sealing): the column `text`
keeps the rest, with placeholders, and stays searchable. Existing messages and their events are sealed in
primary-key order and only where not sealed yet, so an interrupted run is finished by running it again."""

import json

from django.db import migrations, models

import tenants.fields
from tenants.sealing import seal, seal_for_storage, unseal, unseal_from_storage

BATCH = 500


def _seal_messages(apps, schema_editor):
    Message = apps.get_model("conversations", "Message")
    held = Message.objects.filter(sealed_values="").exclude(sealed_text="").order_by("pk")
    for message in held.only("pk", "sealed_text").iterator(chunk_size=BATCH):
        sealed, values = seal(message.sealed_text)
        if values:  # the field encrypts the values
            Message.objects.filter(pk=message.pk).update(sealed_text=sealed, sealed_values=json.dumps(values))


def _seal_events(apps, schema_editor):
    ConversationEvent = apps.get_model("conversations", "ConversationEvent")
    for event in ConversationEvent.objects.filter(payload__has_key="text").order_by("pk").iterator(chunk_size=BATCH):
        if "sealed_values" in event.payload or not isinstance(event.payload["text"], str):
            continue
        sealed, values = seal_for_storage(event.payload["text"])
        ConversationEvent.objects.filter(pk=event.pk).update(
            payload={**event.payload, "text": sealed, "sealed_values": values}
        )


def _unseal(apps, schema_editor):
    Message = apps.get_model("conversations", "Message")
    for message in Message.objects.exclude(sealed_values="").iterator(chunk_size=BATCH):
        Message.objects.filter(pk=message.pk).update(
            sealed_text=unseal(message.sealed_text, json.loads(message.sealed_values)), sealed_values=""
        )
    ConversationEvent = apps.get_model("conversations", "ConversationEvent")
    for event in ConversationEvent.objects.filter(payload__has_key="sealed_values").iterator(chunk_size=BATCH):
        payload = dict(event.payload)
        payload["text"] = unseal_from_storage(payload["text"], payload.pop("sealed_values"))
        ConversationEvent.objects.filter(pk=event.pk).update(payload=payload)


def _seal(apps, schema_editor):
    _seal_messages(apps, schema_editor)
    _seal_events(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0004_message_content_removed"), ("tenants", "0016_encrypt_personal_data")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="message", old_name="text", new_name="sealed_text"),
                migrations.AlterField(
                    model_name="message",
                    name="sealed_text",
                    field=models.TextField(blank=True, db_column="text"),
                ),
            ]
        ),
        migrations.AddField(
            model_name="message",
            name="sealed_values",
            field=tenants.fields.EncryptedTextField(
                blank=True, default="", help_text="The personal data lifted out of the text, encrypted."
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_seal, _unseal),
    ]
