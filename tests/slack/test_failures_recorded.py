"""What became of each approval's Slack message is recorded for the console: a post or update Slack refused for
good, or that it was still unavailable for at the last retry, is failed with Slack's words on the approval's page
and the workspace's page; a later post or update Slack takes clears it; a refused bot token marks the workspace."""

import pytest
from django.urls import reverse
from django.utils import timezone

from channels_app.slack import tasks
from channels_app.slack.models import SlackApprovalMessage, SlackWorkspace
from config.celery import app as celery_app
from tests.slack.conftest import CHANNEL
from tests.slack.test_console import form_data

FAILED = SlackApprovalMessage.Status.FAILED
POSTED = SlackApprovalMessage.Status.POSTED


@pytest.fixture
def no_propagation(monkeypatch):
    """As a worker: a task out of retries fails there, not in the caller."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def approval_page(browser, approval) -> str:
    return browser.get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()


def workspace_page(browser, workspace) -> str:
    return browser.get(reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk])).content.decode()


def test_a_post_slack_refuses_for_good_is_failed_with_its_code_on_the_approvals_page(
    posted, slack_api, console_as, tenant_admin
):
    slack_api.fail("chat.postMessage", 1, status=200, error="channel_not_found")
    approval = posted()
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert (row.status, row.failure_reason, row.ts, row.channel) == (FAILED, "channel_not_found", "", CHANNEL)
    assert row.failed_at is not None
    page = approval_page(console_as(tenant_admin), approval)
    assert f"Slack: not posted in {CHANNEL}" in page and "channel_not_found" in page


def test_a_posted_message_is_a_line_on_the_approvals_page(posted, console_as, tenant_admin):
    approval = posted()
    assert SlackApprovalMessage.objects.get(approval=approval).status == POSTED
    assert f"Slack: posted in {CHANNEL}" in approval_page(console_as(tenant_admin), approval)


def test_a_post_slack_never_takes_is_failed_after_its_last_retry_and_a_later_post_clears_it(
    posted, slack_api, no_propagation
):
    slack_api.fail("chat.postMessage", 6)
    approval = posted()
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert (row.status, row.ts) == (FAILED, "")
    assert row.failure_reason == "gave up after 6 tries: Slack answered chat.postMessage with HTTP 500 internal_error"
    assert tasks.post_approval(str(approval.pk)) == "posted"  # a redelivered post takes the row
    row.refresh_from_db()
    assert (row.status, row.failure_reason, row.failed_at, row.ts) == (POSTED, "", None, "1700000000.000001")


def test_an_update_out_of_retries_is_failed_and_a_later_update_clears_it(
    posted, slack_api, no_propagation, console_as, tenant_admin
):
    approval = posted()
    slack_api.fail("chat.update", 6, status=503)
    tasks.refresh_message.delay(str(approval.pk))
    assert len(slack_api.called("chat.update")) == 6
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert (row.status, row.ts) == (FAILED, "1700000000.000001")
    assert row.failure_reason == "gave up after 6 tries: Slack answered chat.update with HTTP 503 internal_error"
    assert f"Slack: posted in {CHANNEL}, not updated since" in approval_page(console_as(tenant_admin), approval)

    assert tasks.refresh_message(str(approval.pk)) == "updated"
    row.refresh_from_db()
    assert (row.status, row.failure_reason, row.failed_at) == (POSTED, "", None)


def test_an_update_refused_for_good_is_failed_at_once(posted, slack_api):
    approval = posted()
    slack_api.fail("chat.update", 1, status=200, error="message_not_found")
    assert tasks.refresh_message.delay(str(approval.pk)).get() == "refused: message_not_found"
    assert len(slack_api.called("chat.update")) == 1  # not retried
    row = SlackApprovalMessage.objects.get(approval=approval)
    assert (row.status, row.failure_reason) == (FAILED, "message_not_found")


def test_the_workspace_page_lists_the_tenants_failures_only_with_links_to_the_approvals(
    posted, slack_api, console_as, tenant_admin, other_tenant, other_campaign
):
    from tests.analytics.conftest import approval as approval_of

    slack_api.fail("chat.postMessage", 1, status=200, error="not_in_channel")
    failed, fine = posted(), posted(of=other_campaign)
    theirs = approval_of(other_tenant, requested_at=timezone.now())
    SlackWorkspace.objects.create(tenant=other_tenant, team_id="T0GLOBEX", bot_token="xoxb-g", signing_secret="g")
    SlackApprovalMessage.objects.create(
        approval=theirs, channel="C0GLOBEX", status=FAILED, failure_reason="is_archived", failed_at=timezone.now()
    )
    page = workspace_page(console_as(tenant_admin), SlackWorkspace.objects.get(team_id="T0WALKER"))
    assert f'href="{reverse("admin:hitl_hitlapproval_change", args=[failed.pk])}"' in page  # a link, not text
    assert f"{failed.reference}</a> · {CHANNEL} · " in page and "not_in_channel" in page
    assert reverse("admin:hitl_hitlapproval_change", args=[fine.pk]) not in page  # posted: not a failure
    assert reverse("admin:hitl_hitlapproval_change", args=[theirs.pk]) not in page
    assert "is_archived" not in page and "C0GLOBEX" not in page


def test_a_refused_token_marks_the_workspace_until_a_new_token_is_saved(
    posted, slack_api, workspace, console_as, tenant_admin
):
    slack_api.fail("chat.postMessage", 1, status=200, error="token_revoked")
    posted()
    workspace.refresh_from_db()
    assert workspace.token_refusal == "token_revoked" and workspace.token_refused_at is not None
    browser = console_as(tenant_admin)
    assert "Slack refused the bot token (token_revoked)" in workspace_page(browser, workspace)

    change = reverse("admin:channels_app_slackworkspace_change", args=[workspace.pk])
    kept = form_data(team_id="T0WALKER", bot_token="", signing_secret="")
    assert browser.post(change, kept).status_code == 302
    workspace.refresh_from_db()
    assert workspace.token_refusal == "token_revoked"  # the same token: still refused
    assert browser.post(change, {**kept, "bot_token": "xoxb-new"}).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.token_refusal, workspace.token_refused_at) == ("", None)
    assert "Slack refused the bot token" not in workspace_page(browser, workspace)


def test_a_call_slack_takes_clears_the_workspaces_mark(posted, slack_api, workspace):
    workspace.token_refusal, workspace.token_refused_at = "account_inactive", timezone.now()
    workspace.save()
    posted()
    workspace.refresh_from_db()
    assert (workspace.token_refusal, workspace.token_refused_at) == ("", None)


def test_a_refused_private_answer_marks_the_workspace(workspace, slack_api):
    slack_api.fail("chat.postEphemeral", 1, status=200, error="invalid_auth")
    assert tasks.tell_privately(str(workspace.pk), CHANNEL, "U0APPROVER", "Approved") == "refused: invalid_auth"
    workspace.refresh_from_db()
    assert workspace.token_refusal == "invalid_auth"


def test_another_refusal_leaves_the_workspace_unmarked(posted, slack_api, workspace):
    slack_api.fail("chat.postMessage", 1, status=200, error="channel_not_found")
    posted()
    workspace.refresh_from_db()
    assert workspace.token_refusal == ""
