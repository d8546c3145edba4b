"""Six approval columns nothing wrote but their defaults and nothing read: the preview URL, request notes, the
request's IP address and user agent (a decision's are on HITLDecision), tags and custom fields.

Migration 0019 encrypted request_notes in place; it runs before this one, and going back re-adds the column empty.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hitl', '0025_one_name_for_a_retried_execution'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='hitlapproval',
            name='action_preview_url',
        ),
        migrations.RemoveField(
            model_name='hitlapproval',
            name='custom_fields',
        ),
        migrations.RemoveField(
            model_name='hitlapproval',
            name='ip_address',
        ),
        migrations.RemoveField(
            model_name='hitlapproval',
            name='request_notes',
        ),
        migrations.RemoveField(
            model_name='hitlapproval',
            name='tags',
        ),
        migrations.RemoveField(
            model_name='hitlapproval',
            name='user_agent',
        ),
    ]
