"""One waiting request per target: a newer request for a target supersedes the one waiting (hitl.services.conflicts).

Requests filed before this rule may wait side by side for one target. Before the unique index is created, the
newest of them keeps waiting and the others are closed as superseded, each with a history entry naming the one
that replaced it (their requesters are not messaged from a migration). Going back leaves them superseded.
"""

import django.db.models.deletion
import django_fsm
from django.db import migrations, models
from django.utils import timezone


def supersede_older(apps, schema_editor):
    approvals = apps.get_model("hitl", "HITLApproval")
    history = apps.get_model("hitl", "HITLApprovalHistory")
    newest = {}  # (tenant, target) -> the newest waiting request
    waiting = approvals.objects.filter(status="pending").exclude(target_key="")
    for approval in waiting.order_by("-requested_at", "-pk").iterator():
        newer = newest.setdefault((approval.tenant_id, approval.target_key), approval)
        if newer is approval:
            continue
        approvals.objects.filter(pk=approval.pk).update(
            status="superseded",
            resolved_at=timezone.now(),
            next_reminder_at=None,
            escalation_due_at=None,
            expires_at=None,
        )
        approval.assignees.clear()
        history.objects.create(
            tenant_id=approval.tenant_id,
            approval_id=approval.pk,
            event_type="superseded",
            description=f"Superseded by {newer.reference}, a newer request for the same target "
            "(from this version on, one request per target waits).",
            previous_status="pending",
            new_status="superseded",
            metadata={"superseded_by": newer.reference},
        )


class Migration(migrations.Migration):
    dependencies = [("hitl", "0016_compare_pending_proposals_by_effect")]

    operations = [
        migrations.AlterField(
            model_name="hitlapproval",
            name="related_to",
            field=models.ForeignKey(
                blank=True,
                help_text="The request for the same target that waited when this one was filed, and that this one "
                "superseded.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conflicting",
                to="hitl.hitlapproval",
            ),
        ),
        migrations.AlterField(
            model_name="hitlapproval",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("pending", "Pending"),
                    ("approved", "Approved"),
                    ("executing", "Executing"),
                    ("executed", "Executed"),
                    ("failed", "Failed"),
                    ("rejected", "Rejected"),
                    ("expired", "Expired"),
                    ("cancelled", "Cancelled"),
                    ("superseded", "Superseded"),
                ],
                db_index=True,
                default="pending",
                max_length=50,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(supersede_older, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="hitlapproval",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending"), models.Q(("target_key", ""), _negated=True)),
                fields=("tenant", "target_key"),
                name="one_pending_approval_per_target",
            ),
        ),
    ]
