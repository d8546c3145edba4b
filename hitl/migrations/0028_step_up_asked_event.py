"""The approval history names a second factor asked before a decision at the tenant's step-up level."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hitl', '0027_record_deadline_sweep_failures'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hitlapprovalhistory',
            name='event_type',
            field=models.CharField(choices=[('created', 'Requested'), ('approval_recorded', 'Approval recorded'), ('level_approved', 'Level approved'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('edited', 'Edited'), ('rerouted', 'Sent to other approvers'), ('escalated', 'Escalated'), ('escalation_failed', 'Could not escalate'), ('reminder', 'Reminder sent'), ('sla_breached', 'Past its deadline'), ('expired', 'Expired'), ('cancelled', 'Cancelled'), ('superseded', 'Superseded'), ('execution_started', 'Execution started'), ('executed', 'Done'), ('execution_failed', 'Failed to run'), ('execution_retried', 'Will run again'), ('execution_late_answer', 'Late answer from the execution'), ('execution_abandoned', 'Marked failed after no answer'), ('execution_requeued', 'Queued to run again'), ('step_up_asked', 'Second factor asked')], max_length=40, verbose_name='event type'),
        ),
    ]
