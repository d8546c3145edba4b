"""Slack became a channel (issue 47, point 4): `SlackWorkspace`, `SlackUserLink` and `SlackApprovalMessage` join
channels_app's state as hitl 0006 left hitl's, on the tables they always had (`hitl_slack…`, kept by `db_table`), so
no row is copied, changed or lost. Their content types move with them (app label "hitl" to "channels_app", the same
rows): the permissions, the role matrix's grants, per-object permissions and the admin's history follow them."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenants.fields

MOVED = ("slackworkspace", "slackuserlink", "slackapprovalmessage")


def _move_content_types(apps, source: str, target: str) -> None:
    """Relabel the models' content types. One the target app already has (made by hand or by a run of
    `migrate`'s content-type pass in between) is left as it is, and so is the source's."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=target, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(MOVED) - taken).update(app_label=target)


def to_channels_app(apps, schema_editor):
    _move_content_types(apps, "hitl", "channels_app")


def back_to_hitl(apps, schema_editor):
    _move_content_types(apps, "channels_app", "hitl")


class Migration(migrations.Migration):
    dependencies = [
        ("channels_app", "0001_squashed_0010_rating_receipt"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hitl", "0006_slack_moves_to_channels_app"),
        ("tenants", "0001_squashed_0029_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SlackWorkspace",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "team_id",
                            models.CharField(
                                help_text="The workspace's id in Slack, e.g. T0123ABCD (Slack: About this workspace).",
                                max_length=32,
                                unique=True,
                                verbose_name="team ID",
                            ),
                        ),
                        ("team_name", models.CharField(blank=True, max_length=200, verbose_name="team name")),
                        (
                            "bot_token",
                            tenants.fields.EncryptedTextField(
                                help_text="The app's bot token, xoxb-…", verbose_name="bot token"
                            ),
                        ),
                        (
                            "signing_secret",
                            tenants.fields.EncryptedTextField(
                                help_text="The app's signing secret (Slack: Basic Information).",
                                verbose_name="signing secret",
                            ),
                        ),
                        (
                            "default_channel",
                            models.CharField(
                                blank=True,
                                help_text="Channel id approvals go to when their workflow names none, e.g. C0123ABCD.",
                                max_length=32,
                                verbose_name="default channel",
                            ),
                        ),
                        (
                            "token_refusal",
                            models.CharField(
                                blank=True,
                                help_text=(
                                    "Slack's code when it last refused the bot token (e.g. invalid_auth); empty: not "
                                    "refused."
                                ),
                                max_length=64,
                                verbose_name="token refusal",
                            ),
                        ),
                        (
                            "token_refused_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="token refused at"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "tenant",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="slack_workspace",
                                to="tenants.tenant",
                                verbose_name="tenant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "Slack workspaces",
                        "verbose_name": "Slack workspace",
                        "db_table": "hitl_slackworkspace",
                    },
                ),
                migrations.CreateModel(
                    name="SlackUserLink",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("slack_user_id", models.CharField(max_length=32, verbose_name="Slack user ID")),
                        ("linked_at", models.DateTimeField(auto_now_add=True, verbose_name="linked at")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="slack_links",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="links",
                                to="channels_app.slackworkspace",
                                verbose_name="workspace",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "Slack user links",
                        "verbose_name": "Slack user link",
                        "db_table": "hitl_slackuserlink",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("workspace", "slack_user_id"), name="one_link_per_slack_user"
                            ),
                            models.UniqueConstraint(fields=("workspace", "user"), name="one_slack_user_per_person"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SlackApprovalMessage",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("channel", models.CharField(max_length=32, verbose_name="channel")),
                        ("ts", models.CharField(blank=True, max_length=32, verbose_name="message timestamp")),
                        ("posted_at", models.DateTimeField(blank=True, null=True, verbose_name="posted at")),
                        ("updated_at", models.DateTimeField(blank=True, null=True, verbose_name="updated at")),
                        (
                            "status",
                            models.CharField(
                                choices=[("posted", "Posted"), ("failed", "Failed")],
                                default="posted",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="failed at")),
                        ("failure_reason", models.TextField(blank=True, verbose_name="failure reason")),
                        (
                            "approval",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="slack_message",
                                to="hitl.hitlapproval",
                                verbose_name="approval",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "Slack messages",
                        "verbose_name": "Slack message",
                        "db_table": "hitl_slackapprovalmessage",
                        "indexes": [
                            models.Index(fields=["status", "-failed_at"], name="hitl_slacka_status_3936c0_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(to_channels_app, back_to_hitl, elidable=False),
    ]
