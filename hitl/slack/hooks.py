"""Where the rest of Walker hands approvals to the Slack app, by task name (hitl.slack.tasks imports the services
that call these): posting once when an approval is asked for, and updating the message whenever its history records
an outcome, whatever door or clock caused it."""

from celery import current_app

from core.commit import after_commit
from hitl.models import HITLApproval, HITLApprovalHistory, HITLNotification, SlackWorkspace

Event = HITLApprovalHistory.Event
POST_TASK = "hitl.slack.tasks.post_approval"
REFRESH_TASK = "hitl.slack.tasks.refresh_message"
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
        after_commit(current_app.tasks[POST_TASK], str(approval.pk))
    return True


def recorded(approval: HITLApproval, event) -> None:
    """After a history row: the approval's Slack message, if it has one, is updated once this commits. No query
    here: only approvals whose workflow notifies on Slack queue the update, which finds the message or nothing."""
    if event in SHOWN and notifies_on_slack(approval):
        after_commit(current_app.tasks[REFRESH_TASK], str(approval.pk))
