"""What became of an approval's Slack message, kept for the console (docs/slack.md, "Failures"): a post or update
that failed for good (Slack refused it, or was still unavailable at the last retry) fails the approval's message row
with Slack's words, written after the call's own transaction rolled back; a later post or update Slack takes clears
it (`messages`). Slack refusing the bot token itself marks the workspace, until a new token is saved or a call is
taken."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_app.slack.messages import destination
from channels_app.slack.models import SlackApprovalMessage, SlackWorkspace
from hitl.models import HITLApproval

# Slack's codes for a token it no longer takes: nothing works in the workspace until someone acts.
TOKEN_REFUSALS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
REASON_LENGTH = 1000


def message_failed(approval_id, reason: str) -> None:
    """The approval's message failed: its row says so, made (for the console) when its post left none."""
    approval = HITLApproval.objects.select_related("workflow").filter(pk=approval_id).first()
    workspace = approval and SlackWorkspace.objects.filter(tenant_id=approval.tenant_id).first()
    if workspace is None:
        return
    failed = {
        "status": SlackApprovalMessage.Status.FAILED,
        "failed_at": timezone.now(),
        "failure_reason": reason[:REASON_LENGTH],
    }
    token_refused(workspace, reason)
    if SlackApprovalMessage.objects.filter(approval=approval).update(**failed):
        return
    try:
        with transaction.atomic():
            SlackApprovalMessage.objects.create(approval=approval, channel=destination(approval, workspace), **failed)
    except IntegrityError:
        pass  # another post of it made the row meanwhile: that post records its own outcome


def token_refused(workspace: SlackWorkspace, code: str) -> None:
    """Mark the workspace when `code` says Slack no longer takes its bot token."""
    if code in TOKEN_REFUSALS:
        SlackWorkspace.objects.filter(pk=workspace.pk).update(token_refusal=code, token_refused_at=timezone.now())
