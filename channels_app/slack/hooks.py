"""Where hitl hands approvals to the Slack app (registered with `hitl.notifying.registry` by
`channels_app.slack.notifier`): posting once when an approval is asked for, and updating the message whenever its
history records an outcome, whatever door or clock caused it."""

from channels_app.slack import tasks
from channels_app.slack.models import SlackWorkspace
from core.commit import after_commit
from hitl.models import HITLApproval, HITLApprovalHistory, HITLNotification

Event = HITLApprovalHistory.Event
# What changes what the message shows: a decision, a level passed, an escalation, an ending, a run.
SHOWN = frozenset({
    Event.APPROVAL_RECORDED, Event.LEVEL_APPROVED, Event.APPROVED, Event.REJECTED, Event.REROUTED, Event.ESCALATED,
    Event.EXPIRED, Event.CANCELLED, Event.SUPERSEDED, Event.EXECUTED, Event.EXECUTION_FAILED, Event.EXECUTION_RETRIED,
})  # fmt: skip


def notifies_on_slack(approval: HITLApproval) -> bool:
    return "slack" in (approval.workflow_snapshot.get("notification_channels") or ())


def takes_over(approval: HITLApproval, event) -> bool:
    """Whether the Slack app tells of `event` instead of a Slack post per person: it does once the tenant has
    connected a workspace, posting the approval once when it is asked for (the message is updated after that)."""
    if not SlackWorkspace.objects.filter(tenant_id=approval.tenant_id).exists():
        return False
    if event == HITLNotification.Event.CREATED:
        after_commit(tasks.post_approval, str(approval.pk))
    return True


def recorded(approval: HITLApproval, event) -> None:
    """After a history row: the approval's Slack message, if it has one, is updated once this commits. No query
    here: only approvals whose workflow notifies on Slack queue the update, which finds the message or nothing."""
    if event in SHOWN and notifies_on_slack(approval):
        after_commit(tasks.refresh_message, str(approval.pk))
