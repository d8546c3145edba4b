"""An inbound email's attachment names are kept encrypted (`attachment_names`), only their types in clear."""

import json

from django.db import migrations


def encrypt_names(apps, schema_editor):
    from tenants import crypto

    message = apps.get_model("conversations", "Message")
    rows = message.objects.filter(channel="email", metadata__has_key="attachments").only("pk", "metadata")
    for row in rows.iterator(chunk_size=500):
        attachments = row.metadata["attachments"]
        if not isinstance(attachments, list) or not any(isinstance(a, dict) and "name" in a for a in attachments):
            continue
        names = [str(a.get("name", "")) for a in attachments if isinstance(a, dict)]
        kept = {**row.metadata, "attachments": [{"type": a.get("type", "")} for a in attachments if isinstance(a, dict)]}
        message.objects.filter(pk=row.pk).update(metadata={**kept, "attachment_names": crypto.encrypt(json.dumps(names))})


class Migration(migrations.Migration):
    dependencies = [
        ("channels_app", "0006_email_answers_once_a_day"),
        ("conversations", "0006_human_takeover"),
    ]

    operations = [migrations.RunPython(encrypt_names, migrations.RunPython.noop)]
