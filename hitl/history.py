"""The approval's append-only history: one row for everything that happens to it.

It is also where decisions, escalations and executions reach the platform event log:
every outcome passes through here, so one mapping covers them all. The admin consoles
read their live approval events from it too (channels_app.console.follow). `Event.CREATED` is not
mapped: request_approval records APPROVAL_REQUESTED itself.

Append-only in the database too (triggers on PostgreSQL, hitl/migrations/0001): the one change a row's note
may take is to be blanked, through `erase_notes`, when it held a person's data that is erased.
"""

import json

from django.db import connection
from django.db.models import QuerySet

from analytics.events import record
from analytics.models import EventType
from core.sentence import Sentence, told
from hitl.models import HITLApprovalHistory
from hitl.notifying import registry

Event = HITLApprovalHistory.Event  # what its writers record

PLATFORM_EVENTS = {
    Event.APPROVED: EventType.APPROVAL_APPROVED,
    Event.REJECTED: EventType.APPROVAL_REJECTED,
    Event.ESCALATED: EventType.APPROVAL_ESCALATED,
    Event.EXPIRED: EventType.APPROVAL_EXPIRED,
    Event.CANCELLED: EventType.APPROVAL_CANCELLED,
    Event.SLA_BREACHED: EventType.SLA_BREACHED,
    Event.EXECUTED: EventType.EXECUTION_SUCCEEDED,
    Event.EXECUTION_FAILED: EventType.EXECUTION_FAILED,
}


def log(
    approval,
    event_type: Event,
    description: str | Sentence,
    *,
    actor=None,
    ip=None,
    origin=None,
    previous_status="",
    changes=None,
    **metadata,
):
    """Record the event (the tenant's open consoles show it once it is committed); only a member of `Event`.
    A `description` written as a `Sentence` is kept in English and as its sentence, told in each reader's language
    (`note`); a plain one (a person's own words) as written.

    `origin` (a decision's `tenants.privacy.audit.Origin`) gives the address and, when the session showed one, the
    second
    factor: which and when (docs/identity.md, "Step-up")."""
    event_type = Event(event_type)  # a name outside the vocabulary fails here, not in a reader
    if origin is not None:
        ip = origin.ip
        if origin.factor is not None:
            metadata["second_factor"] = origin.factor.as_record()
    if event_type in PLATFORM_EVENTS:
        record(
            PLATFORM_EVENTS[event_type],
            tenant=approval.tenant_id,
            user=actor,
            conversation_id=approval.conversation_id,
            subject_id=approval.pk,
            action_type=approval.action_type,
            risk_level=approval.risk_level,
            reference=approval.reference,
            automatic=approval.decided_automatically and actor is None,
        )
    entry = HITLApprovalHistory.objects.create(
        tenant_id=approval.tenant_id,
        approval=approval,
        event_type=event_type,
        description=description.in_english() if isinstance(description, Sentence) else description,
        said=json.dumps(description.stored()) if isinstance(description, Sentence) else "",
        actor=actor,
        actor_role=getattr(actor, "role", "") or ("superuser" if getattr(actor, "is_superuser", False) else ""),
        actor_ip=ip,
        previous_status=previous_status,
        new_status=approval.status,
        changes=changes or {},
        metadata=metadata,
    )
    registry.recorded(approval, event_type)  # e.g. its Slack message shows what it has become
    return entry


def note(entry: HITLApprovalHistory) -> str:
    """The entry's note in the active language: its kept sentence told again, else as written ("" once erased)."""
    if entry.said:
        try:
            told_again = told(json.loads(entry.said))
        except ValueError:
            told_again = None
        if told_again is not None:
            return told_again
    return entry.description


def erase_notes(entry_ids) -> int:
    """Blank the notes (`description` and `said`) of these history entries, and nothing else of them; how many
    changed.

    On PostgreSQL through the database function `hitl_history_erase_notes`, the trigger's one way out for notes.
    """
    ids = list(entry_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT hitl_history_erase_notes(%s::uuid[])", [ids])
            return cursor.fetchone()[0]
    entries = HITLApprovalHistory.objects.filter(pk__in=ids).exclude(description="", said="")
    return QuerySet.update(entries, description="", said="")  # the model's queryset refuses updates, by design
