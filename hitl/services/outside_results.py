"""The outcome an agent outside Walker reports for an approved request it carries out itself (a type that
`runs_by` the agent): recorded once, as the approval's execution outcome, which the console shows as it shows the
outcome of Walker's own executors (`/api/v1/approval-requests/{id}/result/`).

Exactly once under retries: the approval's row is locked; the same report again is the same answer, another
report after the first is refused (409), as is a report for a request not approved or one Walker carries out.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.executors.base import ExecutionResult
from hitl.models import ApprovalStatus, ExecutionStatus, HITLApproval
from hitl.notifying.approvers import Notice, notify
from hitl.services.execution import record_failure, record_success, runs_in_walker
from hitl.services.outside import Refused

REPORTED = "reported_by_agent"  # marks an outcome the agent reported, in `execution_result`
DETAIL_MAX = 2000
OUTCOMES = (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED)


class AgentReportedFailure(Exception):
    """The agent said the approved action failed; its words are the error."""


@transaction.atomic
def report_result(asked, *, outcome: str, detail: str) -> tuple[HITLApproval, bool]:
    """Record `outcome` (succeeded or failed) with the agent's `detail` for the approval `asked` (an
    ApprovalRequest) files; (the approval, whether this call recorded it). Raises Refused."""
    if not detail.strip():
        raise Refused("required", "Say what happened: approvers read it.", "detail")
    if len(detail) > DETAIL_MAX:
        raise Refused("too_long", f"At most {DETAIL_MAX} characters.", "detail")
    approval = HITLApproval.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=asked.approval_id)
    if approval.execution_result.get(REPORTED):
        if approval.execution_status == outcome and approval.execution_result.get("detail") == detail:
            return approval, False  # the same report, sent again
        raise Refused(
            "result_already_reported",
            f"The outcome of {approval.reference} was reported already ({approval.get_execution_status_display()}).",
        )
    if approval.status != ApprovalStatus.APPROVED:
        raise Refused(
            "not_approved",
            f"Only an approved request's outcome is reported; {approval.reference} is "
            f"{approval.get_status_display().lower()}.",
        )
    if runs_in_walker(approval):
        raise Refused("runs_in_walker", f"Walker carries out {approval.action_type} actions and records their outcome.")
    approval.mark_executing()
    approval.execution_attempts += 1
    approval.execution_started_at = timezone.now()
    if outcome == ExecutionStatus.SUCCEEDED:
        record_success(approval, ExecutionResult(before={}, after=approval.action_data, detail=detail))
    else:
        record_failure(approval, AgentReportedFailure(detail))
        approval.execution_result = {"detail": detail}
    approval.execution_result.update({REPORTED: True, "reported_at": approval.execution_started_at.isoformat()})
    approval.save(update_fields=["execution_result", "execution_attempts", "execution_started_at"])
    # The approver who said yes hears how it went (every approver of the request, when a rule approved it).
    notify(approval, Notice.OUTCOME, people=[approval.approved_by] if approval.approved_by else None)
    return approval, True


def overdue(approvals, now=None):
    """Approved requests from outside Walker whose agent has not reported the outcome within
    APPROVAL_RESULT_DUE_HOURS: the agent acts and reports, and an approval left at "approved" may mean it never did.
    (One that Walker carries out leaves "approved" as soon as it runs.)"""
    due = (now or timezone.now()) - timedelta(hours=settings.APPROVAL_RESULT_DUE_HOURS)
    return approvals.filter(
        status=ApprovalStatus.APPROVED, agent__isnull=True, outside_request__isnull=False, approved_at__lt=due
    )


def is_overdue(approval: HITLApproval, now=None) -> bool:
    """`overdue` for one approval, without a query (its outside request is loaded)."""
    if approval.status != ApprovalStatus.APPROVED or approval.outside is None or approval.approved_at is None:
        return False
    return approval.approved_at < (now or timezone.now()) - timedelta(hours=settings.APPROVAL_RESULT_DUE_HOURS)
