"""Each approval's one Slack message: posted once, to its workflow's channel (else the workspace's default channel,
else its assignee's direct messages), then updated in place with what it has become, whatever door decided it.

Both hold the message's row across the Web API call (its insert, or its lock): a second post finds it taken, and two
updates apply one after the other, the later reading the later state, so the message ends showing how the approval
ended. An update finds no message while its post is in flight (the row's insert is not committed until Slack
answers), so once the post commits it reads the approval again and says when the message no longer shows it
(`OUTDATED`): its task then queues the update. A post Slack did not take leaves no row, and its retry posts.
A Web API failure raises (`client.SlackUnavailable`) for the task to retry with backoff. Its task records one that
is final on the row (`channels_app.slack.outcomes`; a failed post's row has no `ts`, and a later post takes it, to the
destination as it is then); the next post or update Slack takes clears it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_app.slack import blocks
from channels_app.slack.client import call
from channels_app.slack.models import SlackApprovalMessage, SlackUserLink, SlackWorkspace
from hitl.models import HITLApproval

RELATED = ("tenant", "workflow", "requested_by", "agent", "approved_by", "rejected_by")
OUTDATED = "posted, since changed"  # post's answer when the message it posted no longer shows the approval


def destination(approval: HITLApproval, workspace: SlackWorkspace) -> str:
    """A channel id, or a person's Slack user id (Slack opens the direct messages); empty: nowhere to post."""
    channel = (approval.workflow.slack_channel if approval.workflow else "") or workspace.default_channel
    if channel or approval.assigned_to_id is None:
        return channel
    link = SlackUserLink.objects.filter(workspace=workspace, user_id=approval.assigned_to_id).first()
    return link.slack_user_id if link else ""


def _read(approval_id) -> HITLApproval:
    return HITLApproval.objects.select_related(*RELATED).get(pk=approval_id)


def post(approval_id) -> str:
    """Post the approval once; what happened, for the task's result."""
    approval = _read(approval_id)
    workspace = SlackWorkspace.objects.filter(tenant_id=approval.tenant_id).first()
    if workspace is None:
        return "no workspace"
    with transaction.atomic():
        row = SlackApprovalMessage.objects.select_for_update().filter(approval=approval).first()
        if row is not None and row.ts:
            return "already posted"
        channel = destination(approval, workspace)  # again for a failed post's row: its channel may have changed
        if not channel:
            return "nowhere to post"
        if row is None:
            try:  # the approval's one row: a concurrent post waits on its insert, then finds it taken
                with transaction.atomic():
                    row = SlackApprovalMessage.objects.create(approval=approval, channel=channel)
            except IntegrityError:
                return "already posted"
        shown = blocks.message(approval)
        answer = call(workspace, "chat.postMessage", channel=channel, **shown)
        row.ts, row.channel, row.posted_at = answer["ts"], answer.get("channel") or channel, timezone.now()
        _taken(row, workspace, "ts", "channel", "posted_at")
    # Committed: an update from now on finds the message. One for a change made since the approval was read above
    # found none, and the message may show buttons that no longer decide.
    return OUTDATED if blocks.message(_read(approval_id)) != shown else "posted"


def refresh(approval_id) -> str:
    """Show the approval as it now is in its message (no button that decides once it is decided)."""
    with transaction.atomic():
        row = SlackApprovalMessage.objects.select_for_update().filter(approval_id=approval_id).first()
        if row is None or not row.ts:
            return "not posted"  # a post still to come shows the approval as it is then
        approval = _read(approval_id)
        workspace = SlackWorkspace.objects.filter(tenant_id=approval.tenant_id).first()
        if workspace is None:
            return "no workspace"
        call(workspace, "chat.update", channel=row.channel, ts=row.ts, **blocks.message(approval))
        row.updated_at = timezone.now()
        _taken(row, workspace, "updated_at")
    return "updated"


def _taken(row: SlackApprovalMessage, workspace: SlackWorkspace, *changed: str) -> None:
    """Slack took the post or update: a failure recorded before (`outcomes`) is over, and so is a refusal of the
    workspace's token."""
    row.status, row.failed_at, row.failure_reason = SlackApprovalMessage.Status.POSTED, None, ""
    row.save(update_fields=[*changed, "status", "failed_at", "failure_reason"])
    if workspace.token_refusal:
        SlackWorkspace.objects.filter(pk=workspace.pk).update(token_refusal="", token_refused_at=None)


def tell(workspace: SlackWorkspace, channel: str, slack_user_id: str, text: str) -> None:
    """Only `slack_user_id` sees it, in `channel` (chat.postEphemeral)."""
    call(workspace, "chat.postEphemeral", channel=channel, user=slack_user_id, text=text)
