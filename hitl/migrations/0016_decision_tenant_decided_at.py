"""A tenant's decisions by when they were made: the approval reports' top approvers of a range read the range's
decisions through it, where they read every decision of every tenant to join them to the range's approvals
(bench/big_tenant_bench.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("hitl", "0015_approval_tenant_resolved_at")]

    operations = [
        migrations.AddIndex(
            model_name="hitldecision",
            index=models.Index(fields=["tenant", "decided_at"], name="hitl_hitlde_tenant__adcae9_idx"),
        ),
    ]
