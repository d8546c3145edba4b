"""What HITL holds of a person, for subject requests (tenants.privacy.personal_data): the notifications sent to them,
what was typed on their requests, and what they typed deciding others'.

Approvals, decisions and history are business records and stay, naming people by account (which erasure
anonymises). What people type (notes, rejection and escalation reasons, and the history lines that quote
them or name the actor) may be about anyone: it is encrypted at rest, and an erasure replaces it with a note,
on the person's own requests and wherever they wrote it, along with the address their decisions came from.
History lines, append-only, are only ever blanked (`hitl.history.erase_notes`).
"""

from hitl.history import Event, erase_notes
from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision, HITLNotification

ERASED = "[Erased at the person's request]"
TYPED = ("approval_notes", "rejection_reason", "escalation_reason")
# History lines of a request that quote what someone typed on it.
QUOTING = (Event.ESCALATED, Event.REJECTED, Event.CANCELLED, Event.EXECUTION_ABANDONED)


def export_notifications(person) -> list[dict]:
    return [
        {
            "at": n.created_at.isoformat(),
            "channel": n.channel,
            "event": n.event,
            "to_email": n.recipient_email,
            "to_phone": n.recipient_phone,
            "subject": n.subject,
            "message": n.message,
            "status": n.status,
        }
        for n in HITLNotification.objects.filter(recipient=person).order_by("created_at")
    ]


def erase_notifications(person, now) -> int:
    return (
        HITLNotification.objects.filter(recipient=person)
        .exclude(message=ERASED)
        .update(recipient_email="", recipient_phone="", subject="", message=ERASED, provider_response={})
    )


def _erase(rows, **erased) -> int:
    """Set each field to its erased value where it holds anything else; the rows changed. The text is encrypted,
    so it is compared here, not in SQL: running it again changes nothing."""
    changed = 0
    for row in rows.only("pk", *erased):
        stale = {field: value for field, value in erased.items() if getattr(row, field) not in ("", None, value)}
        if stale:
            rows.model.objects.filter(pk=row.pk).update(**stale)
            changed += 1
    return changed


def export_requests(person) -> list[dict]:
    return [
        {
            "reference": a.reference,
            "summary": a.action_summary,
            "status": a.status,
            "requested_at": a.requested_at.isoformat(),
            **{field: getattr(a, field) for field in TYPED},
            "decisions": [{"decision": d.decision, "notes": d.notes} for d in a.decisions.all()],
        }
        for a in HITLApproval.objects.filter(requested_by=person).prefetch_related("decisions").order_by("requested_at")
    ]


def erase_requests(person, now) -> int:
    """What was typed on the person's requests, by anyone: it answers them, and may say anything about them."""
    theirs = HITLApproval.objects.filter(requested_by=person)
    return (
        _erase(theirs, **dict.fromkeys(TYPED, ERASED))
        + _erase(HITLDecision.objects.filter(approval__in=theirs), notes=ERASED)
        + erase_notes(_ids(HITLApprovalHistory.objects.filter(approval__in=theirs, event_type__in=QUOTING)))
    )


def export_decisions(person) -> list[dict]:
    return [
        {"reference": d.approval.reference, "decision": d.decision, "notes": d.notes, "at": d.decided_at.isoformat()}
        for d in HITLDecision.objects.filter(approver=person).select_related("approval").order_by("decided_at")
    ]


def erase_decisions(person, now) -> int:
    """What the person typed deciding others' requests, the history lines naming them as the actor, and the
    address and browser their decisions came from (a history line keeps its address: it is append-only)."""
    escalated = HITLApprovalHistory.objects.filter(actor=person, event_type=Event.ESCALATED).values("approval_id")
    return (
        _erase(HITLDecision.objects.filter(approver=person), notes=ERASED, ip_address=None, user_agent="")
        + _erase(HITLApproval.objects.filter(approved_by=person), approval_notes=ERASED)
        + _erase(HITLApproval.objects.filter(rejected_by=person), rejection_reason=ERASED)
        + _erase(HITLApproval.objects.filter(pk__in=escalated), escalation_reason=ERASED)
        + erase_notes(_ids(HITLApprovalHistory.objects.filter(actor=person)))
    )


def _ids(entries) -> list:
    return list(entries.exclude(description="").values_list("pk", flat=True))
