"""Slack became a channel (issue 47, point 4): its three models left hitl for `channels_app.slack`. This migration
removes them from hitl's state only; their tables stay as they are, rows and all, under their names, and
channels_app 0002 takes them into its own state with the same tables (`db_table`) and moves their content types."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("hitl", "0005_remove_hitlworkflow_approval_levels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SlackUserLink"),  # first: it points at the workspace
                migrations.DeleteModel(name="SlackApprovalMessage"),
                migrations.DeleteModel(name="SlackWorkspace"),
            ],
            database_operations=[],
        ),
    ]
