"""What people type on an approval (notes, rejection and escalation reasons, and the history lines that quote
them) is encrypted at rest and reached by an erasure (issue 29: it was stored in clear and survived it)."""

from django.db import connection

from hitl.models import HITLApproval, HITLApprovalHistory, HITLDecision
from hitl.personal_data import ERASED
from hitl.services.closing import escalate
from hitl.services.decisions import approve, reject
from tenants.privacy.audit import Origin
from tenants.privacy.subject_requests import erase_person, export_person

PHONE, EMAIL = "+1 415 555 0166", "jane.private@example.com"


def _stored_text() -> str:
    """Every free-text column of the three tables, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT approval_notes, rejection_reason, escalation_reason FROM hitl_hitlapproval "
            "UNION ALL SELECT notes, '', '' FROM hitl_hitldecision "
            "UNION ALL SELECT description, '', '' FROM hitl_hitlapprovalhistory"
        )
        return "\n".join(value for row in cursor.fetchall() for value in row if value)


def _decided(ask, requester, approver, tenant_admin, colleague):
    """The requester's request escalated by the approver and rejected by the admin; a colleague's approved."""
    theirs = ask(by=requester)
    escalate(theirs.pk, actor=approver, reason=f"Over my limit; Jane asked, call {PHONE}")
    reject(theirs.pk, actor=tenant_admin, reason=f"Not this quarter; write to {EMAIL}")
    other = ask("800.00", by=colleague)
    approve(other.pk, actor=approver, notes=f"Fine, told {EMAIL}")
    return HITLApproval.objects.get(pk=theirs.pk), HITLApproval.objects.get(pk=other.pk)


def test_typed_text_is_encrypted_at_rest_and_reads_as_written(ask, requester, approver, tenant_admin, colleague):
    theirs, other = _decided(ask, requester, approver, tenant_admin, colleague)

    stored = _stored_text()
    assert stored  # the rows are there, as tokens
    for secret in ("415 555 0166", EMAIL, "Over my limit", "Not this quarter", "Fine, told"):
        assert secret not in stored
    assert theirs.escalation_reason == f"Over my limit; Jane asked, call {PHONE}"
    assert theirs.rejection_reason == f"Not this quarter; write to {EMAIL}"
    assert other.approval_notes == f"Fine, told {EMAIL}"
    assert other.decisions.get().notes == f"Fine, told {EMAIL}"
    assert EMAIL in theirs.history.get(event_type="rejected").description


def test_erasing_the_requester_reaches_what_was_typed_on_their_requests(
    ask, requester, approver, tenant_admin, colleague
):
    theirs, other = _decided(ask, requester, approver, tenant_admin, colleague)
    _, export = export_person(tenant_admin, requester, reason="Art. 15", origin=Origin())
    assert export["approval_requests"][0]["rejection_reason"] == f"Not this quarter; write to {EMAIL}"

    erase_person(tenant_admin, requester, reason="Art. 17")

    theirs.refresh_from_db()
    assert (theirs.rejection_reason, theirs.escalation_reason) == (ERASED, ERASED)
    assert {d.notes for d in theirs.decisions.all()} == {ERASED}
    quoted = theirs.history.filter(event_type__in=["created", "escalated", "rejected"])
    assert {h.description for h in quoted} == {""}  # history is append-only: its notes are only ever blanked
    assert other.approval_notes == HITLApproval.objects.get(pk=other.pk).approval_notes == f"Fine, told {EMAIL}"
    assert theirs.status == "rejected" and theirs.history.count() == quoted.count()  # the records stay


def test_erasing_a_decider_reaches_what_they_typed_everywhere(ask, requester, approver, tenant_admin, colleague):
    theirs, other = _decided(ask, requester, approver, tenant_admin, colleague)

    erase_person(tenant_admin, approver, reason="Art. 17")

    theirs.refresh_from_db()
    other.refresh_from_db()
    assert theirs.escalation_reason == ERASED  # theirs to erase: they escalated it
    assert theirs.rejection_reason == f"Not this quarter; write to {EMAIL}"  # the admin's words stay
    assert other.approval_notes == ERASED
    decision = HITLDecision.objects.get(approver=approver)
    assert (decision.notes, decision.ip_address, decision.user_agent) == (ERASED, None, "")
    assert {h.description for h in HITLApprovalHistory.objects.filter(actor=approver)} == {""}
    assert other.history.get(event_type="created").description != ERASED  # the colleague's request line stays
