"""Slack became a channel (issue 47, point 4): its models moved from hitl to channels_app with their tables. A database
that hitl's migrations left with a workspace, a linked person and an approval's message keeps each row (the same ids
and values, the secrets still readable) once migrated, read through the models at their new place; their content
types move with them, so the permissions and the role matrix's grants follow."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from channels_app.slack.models import SlackApprovalMessage, SlackUserLink, SlackWorkspace
from tenants.models import User
from tenants.services import ensure_role_groups
from tests.factories import HITLApprovalFactory

# Today's hitl before the move, and channels_app before it took the models.
BEFORE = [("hitl", "0005_remove_hitlworkflow_approval_levels"), ("channels_app", "0001_squashed_0010_rating_receipt")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()  # the migrations relabel content types under the cache's feet
    return executor.loader.project_state(targets).apps


@pytest.mark.slow  # migrates the database back and forth
@pytest.mark.django_db(transaction=True)
def test_a_workspace_its_links_and_messages_keep_their_rows_when_slack_moves(tenant, approver, tenant_admin):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    approval = HITLApprovalFactory(tenant=tenant)
    workspace_type = ContentType.objects.get_for_model(SlackWorkspace).pk
    now = timezone.now().replace(microsecond=0)
    try:
        old = _migrate(BEFORE)
        assert ContentType.objects.get(pk=workspace_type).app_label == "hitl"  # as a database of today has it
        workspace = old.get_model("hitl", "SlackWorkspace").objects.create(
            tenant_id=tenant.pk,
            team_id="T0MOVED",
            team_name="Acme",
            bot_token="xoxb-moved",
            signing_secret="moved-secret",
            default_channel="C0GENERAL",
            token_refusal="invalid_auth",
            token_refused_at=now,
        )
        link = old.get_model("hitl", "SlackUserLink").objects.create(
            workspace_id=workspace.pk, slack_user_id="U0MOVED", user_id=approver.pk
        )
        message = old.get_model("hitl", "SlackApprovalMessage").objects.create(
            approval_id=approval.pk,
            channel="C0GENERAL",
            ts="1700000000.000001",
            posted_at=now,
            status="failed",
            failed_at=now,
            failure_reason="channel_not_found",
        )

        _migrate(leaf)
        moved = SlackWorkspace.objects.get(pk=workspace.pk)
        assert (moved.tenant_id, moved.team_id, moved.team_name, moved.default_channel) == (
            tenant.pk,
            "T0MOVED",
            "Acme",
            "C0GENERAL",
        )
        assert (moved.bot_token, moved.signing_secret) == ("xoxb-moved", "moved-secret")  # still decrypted
        assert (moved.token_refusal, moved.token_refused_at, moved.created_at) == (
            "invalid_auth",
            now,
            workspace.created_at,
        )
        assert list(SlackUserLink.objects.values_list("pk", "workspace_id", "slack_user_id", "user_id")) == [
            (link.pk, workspace.pk, "U0MOVED", approver.pk)
        ]
        kept = SlackApprovalMessage.objects.get(approval=approval)
        assert (kept.pk, kept.channel, kept.ts, kept.status, kept.failed_at, kept.failure_reason) == (
            message.pk,
            "C0GENERAL",
            "1700000000.000001",
            SlackApprovalMessage.Status.FAILED,
            now,
            "channel_not_found",
        )
        assert tenant.slack_workspace == moved and approval.slack_message == kept  # the reverse relations too

        # The content type is the same row, relabelled: its permissions, and the roles' grants of them, followed.
        relabelled = ContentType.objects.get_for_model(SlackWorkspace)
        assert (relabelled.pk, relabelled.app_label) == (workspace_type, "channels_app")
        assert Permission.objects.filter(content_type_id=workspace_type, codename="change_slackworkspace").exists()
        ensure_role_groups(tenant)  # the role matrix names channels_app.change_slackworkspace: it is found
        assert User.objects.get(pk=tenant_admin.pk).has_perm("channels_app.change_slackworkspace")
    finally:
        _migrate(leaf)
