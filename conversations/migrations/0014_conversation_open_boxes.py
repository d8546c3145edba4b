"""The open conversations by tenant, holder and whether a person was asked for: the inbox's boxes are counted from
this index alone (conversations.inbox.boxes), where they read every page of the table that held an open one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0013_conversation_tenant_started_at")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(status__in=["open", "waiting_approval"]),
                fields=["tenant", "held_by", "person_requested_at"],
                name="conversation_open_boxes",
            ),
        ),
    ]
