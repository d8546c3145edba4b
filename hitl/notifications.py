"""Telling approvers about approvals: one HITLNotification row per person and channel, sent after commit."""

from celery import current_app
from django.conf import settings
from django.db import transaction

from hitl.models import HITLApproval, HITLNotification
from hitl.services.levels import eligible_approvers

SEND_TASK = "hitl.tasks.send_notification"
SUBJECTS = {
    "created": "Approval needed: {summary}",
    "reminder": "Reminder: {summary} is waiting for you",
    "escalated": "Escalated to you: {summary}",
    "decided": "{status}: {summary}",
}


def approval_url(approval: HITLApproval) -> str:
    return f"{settings.PUBLIC_BASE_URL}/admin/hitl/hitlapproval/{approval.pk}/change/"


def recipients(approval: HITLApproval, event: str, people: list | None = None):
    """The assignee of a sequential level, else everyone who may decide (`people`, when the caller has them)."""
    if event in ("created", "reminder", "escalated") and approval.assigned_to_id:
        return [approval.assigned_to]
    return people if people is not None else list(eligible_approvers(approval).select_related("tenant"))


def _text(approval: HITLApproval, event: str) -> tuple[str, str]:
    subject = SUBJECTS[event].format(summary=approval.action_summary, status=approval.get_status_display())
    lines = [
        f"{approval.reference} · {approval.get_risk_level_display()} risk ({approval.risk_score:g}/100)",
        approval.action_summary,
        f"Estimated cost ${approval.estimated_cost:,.2f} · reach {approval.estimated_reach:,}",
    ]
    if event != "decided":
        lines.append(f"Level {approval.approval_level} of {approval.total_levels}. Decide: {approval_url(approval)}")
    return subject[:300], "\n".join(lines)


def notify(approval: HITLApproval, event: str, *, reminder_number: int = 0, people=None) -> list[HITLNotification]:
    """One row per person and channel, written at once; each is sent by its own task after commit."""
    channels = approval.workflow_snapshot.get("notification_channels") or ["in_app"]
    subject, message = _text(approval, event)
    rows = []
    for person in recipients(approval, event, people):
        for channel in channels:
            if channel not in HITLNotification.Channel.values:
                continue
            rows.append(
                HITLNotification(
                    tenant_id=approval.tenant_id,
                    approval=approval,
                    channel=channel,
                    recipient=person,
                    recipient_email=person.email,
                    event=event,
                    subject=subject,
                    message=message,
                    template=f"hitl/{event}",
                    is_reminder=event == "reminder",
                    reminder_number=reminder_number,
                )
            )
    return send_after_commit(rows)


def send_after_commit(rows: list[HITLNotification]) -> list[HITLNotification]:
    """Write the rows at once; each is sent by its own task after commit."""
    HITLNotification.objects.bulk_create(rows)
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: current_app.tasks[SEND_TASK].delay(str(pk)))
    return rows
