"""Which kind of the tenant's automation asked (a performance rule, or a platform's recommendations), so each is named
as what it is. The requests filed by automation so far are marked as a rule's here; adplatforms' next migration marks
those its recommendations filed."""

from django.db import migrations, models


def rules_so_far(apps, schema_editor):
    approvals = apps.get_model("hitl", "HITLApproval")
    approvals.objects.exclude(requested_by_rule="").update(requested_by_automation="rule")


class Migration(migrations.Migration):

    dependencies = [
        ("hitl", "0013_history_note_kept"),
    ]

    operations = [
        migrations.AddField(
            model_name="hitlapproval",
            name="requested_by_automation",
            field=models.CharField(
                blank=True,
                choices=[("rule", "performance rule"), ("recommendation", "platform recommendations")],
                max_length=20,
                verbose_name="requested by automation",
            ),
        ),
        migrations.RunPython(rules_so_far, migrations.RunPython.noop),
    ]
