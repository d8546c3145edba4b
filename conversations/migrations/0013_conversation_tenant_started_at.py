"""A tenant's conversations by when they started: the dashboard's days and a month's CSV export read a range of
days, which the (tenant, channel, started_at) index serves only channel by channel (bench/big_tenant_bench.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0012_message_words")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["tenant", "started_at"], name="conversatio_tenant__f484db_idx"),
        ),
    ]
