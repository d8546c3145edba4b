"""What happened to a conversation's proposals since the agent last answered, for its next engine run.

An LLM agent revises a proposal only if it learns the proposal was rejected (and why), edited or left
to expire; the engine receives these as structured notes (`EngineRequest.decisions`), once each: the
notes cover the history recorded after the agent's previous answer, for proposals made within the turns
the engine is shown.
"""

from agents.engines.base import DecisionNote, Outcome
from conversations.models import Message
from hitl.models import HITLApprovalHistory

Event = HITLApprovalHistory.Event
# The approval events an engine is told of, as the outcome it reads.
REPORTED = {
    Event.REJECTED: Outcome.REJECTED,
    Event.EXPIRED: Outcome.EXPIRED,
    Event.EDITED: Outcome.EDITED,
    Event.EXECUTED: Outcome.EXECUTED,
    Event.EXECUTION_FAILED: Outcome.EXECUTION_FAILED,
}
MAX_NOTES = 10


def decisions_since_last_answer(conversation, history: list[Message]) -> tuple[DecisionNote, ...]:
    """From the turns the engine is given (`history`, oldest first): nothing to report, and no query, unless
    one of the agent's recent answers proposed something."""
    answers = [m for m in history if m.sender_type == Message.SenderType.AGENT]
    if not any(m.metadata.get("actions") for m in answers):
        return ()
    events = (
        HITLApprovalHistory.objects.filter(
            approval__conversation=conversation, event_type__in=list(REPORTED), timestamp__gt=answers[-1].created_at
        )
        .select_related("approval")
        .order_by("timestamp")[:MAX_NOTES]
    )
    return tuple(_note(event) for event in events)


def _note(event) -> DecisionNote:
    approval = event.approval
    detail = {
        Event.REJECTED: approval.rejection_reason,
        Event.EDITED: event.description,
        Event.EXECUTION_FAILED: approval.execution_error,
    }.get(event.event_type, "")
    return DecisionNote(
        reference=approval.reference,
        action_type=approval.action_type,
        outcome=REPORTED[event.event_type],
        summary=approval.summary,
        detail=detail or "",
        action_data=approval.action_data,
    )
