"""WhatsApp messages no longer keep the sender's WhatsApp display name (Twilio's ProfileName) in their metadata:
the names kept so far, in clear, go."""

from django.db import migrations

BATCH = 1000


def forget_profile_names(apps, schema_editor):
    Message = apps.get_model("conversations", "Message")
    named = Message.objects.filter(channel="whatsapp", metadata__has_key="profile_name").order_by("pk")
    while batch := list(named.values_list("pk", "metadata")[:BATCH]):
        for pk, metadata in batch:
            Message.objects.filter(pk=pk).update(
                metadata={key: value for key, value in metadata.items() if key != "profile_name"}
            )


class Migration(migrations.Migration):
    dependencies = [("channels_app", "0007_encrypt_email_attachment_names"), ("conversations", "0006_human_takeover")]

    operations = [migrations.RunPython(forget_profile_names, migrations.RunPython.noop)]
