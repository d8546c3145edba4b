"""Telling approvers about approvals: one HITLNotification row per person and channel, sent after commit."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hitl import presentation
from hitl.links import approval_url
from hitl.models import HITLApproval, HITLNotification
from hitl.notifying import registry
from hitl.notifying.rows import send_after_commit
from hitl.services.levels import eligible_approvers
from tenants.languages import speaking

Notice = HITLNotification.Event
ASKING = (Notice.CREATED, Notice.REMINDER, Notice.ESCALATED)  # the notices that ask for a decision
SUBJECTS = {
    Notice.CREATED: _("Approval needed: %(summary)s"),
    Notice.REMINDER: _("Reminder: %(summary)s is waiting for you"),
    Notice.ESCALATED: _("Escalated to you: %(summary)s"),
    Notice.DECIDED: _("%(status)s: %(summary)s"),
    Notice.OUTCOME: _("%(status)s: %(summary)s"),
    Notice.TARGET_CHANGED: _("Changed elsewhere while it waits: %(summary)s"),
}
TOLD_AFTER = (Notice.DECIDED, Notice.OUTCOME)  # the notices about what became of it, not asking for anything


def recipients(approval: HITLApproval, event: Notice, people: list | None = None):
    """The assignee of a sequential level, else everyone who may decide (`people`, when the caller has them)."""
    if event in ASKING and approval.assigned_to_id:
        return [approval.assigned_to]
    return people if people is not None else list(eligible_approvers(approval).select_related("tenant"))


def _text(approval: HITLApproval, event: Notice, detail=None) -> tuple[str, str]:
    """In the active language (notify sets the recipient's); `detail()` adds the caller's words, written in it."""
    subject = str(SUBJECTS[event]) % {"summary": approval.summary, "status": approval.get_status_display()}
    lines = presentation.ask_lines(presentation.the_ask(approval))
    if detail is not None:
        lines.append(detail())
    if event == Notice.OUTCOME:
        reported = approval.execution_result.get("detail") or approval.execution_error
        lines.append(
            gettext("%(agent)s reported: %(detail)s") % {"agent": approval.outside.agent_name, "detail": reported}
        )
    if event not in TOLD_AFTER:
        lines += replaced_lines(approval)
        progress = {"level": approval.approval_level, "levels": approval.total_levels, "url": approval_url(approval)}
        lines.append(gettext("Level %(level)s of %(levels)s. Decide: %(url)s") % progress)
    return subject[:300], "\n".join(lines)


def replaced_lines(approval: HITLApproval) -> list[str]:
    """So the approver knows what else was asked of the target: "Replaces BR-123456: Raise … to $800.00"."""
    older = approval.related_to  # it superseded that request when it was filed (hitl.services.conflicts)
    if older is None:
        return []
    return [
        gettext("Replaces %(reference)s, which waited for the same target: %(summary)s")
        % {"reference": older.reference, "summary": older.summary}
    ]


def notify(
    approval: HITLApproval, event: Notice, *, reminder_number: int = 0, people=None, detail=None
) -> list[HITLNotification]:
    """One row per person and channel, written at once; each is sent by its own task after commit. `detail`, a
    function, gives a line of the caller's in each recipient's language (what changed elsewhere, say)."""
    channels = approval.workflow_snapshot.get("notification_channels") or ["in_app"]
    # A registered channel may tell of it in its own way (Slack's app: one message per approval, with buttons).
    channels = [channel for channel in channels if not registry.takes_over(channel, approval, event)]
    rows = []
    zone = ZoneInfo(approval.tenant.timezone)  # a time in the words reads as in the tenant's console
    for person in recipients(approval, event, people):
        with speaking(person), timezone.override(zone):  # the recipient's language, the tenant's zone
            subject, message = _text(approval, event, detail)
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
                    is_reminder=event == Notice.REMINDER,
                    reminder_number=reminder_number,
                )
            )
    return send_after_commit(rows)
