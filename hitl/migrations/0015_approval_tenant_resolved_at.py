"""A tenant's approvals by when they were decided: the dashboard's decisions of today and its median over the last
week, which read every decided request of the tenant without it (bench/big_tenant_bench.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hitl", "0014_approval_requested_by_automation")]

    operations = [
        migrations.AddIndex(
            model_name="hitlapproval",
            index=models.Index(fields=["tenant", "resolved_at"], name="hitl_hitlap_tenant__5a1043_idx"),
        ),
    ]
