"""What happened to a conversation's proposals since the agent last answered, for its next engine run.

An LLM agent revises a proposal only if it learns the proposal was rejected (and why), edited or left
to expire; the engine receives these as structured notes (`EngineRequest.decisions`), once each: the
notes cover the history recorded after the previous answer of the agent in this conversation.
"""

from agents.engines.base import DecisionNote
from conversations.models import Message
from hitl.models import HITLApprovalHistory

REPORTED = ("rejected", "expired", "edited", "executed", "execution_failed")
MAX_NOTES = 10


def decisions_since_last_answer(conversation, message) -> tuple[DecisionNote, ...]:
    last_answer = (
        Message.objects.filter(
            conversation=conversation,
            direction=Message.Direction.OUTBOUND,
            sender_type=Message.SenderType.AGENT,
            created_at__lt=message.created_at,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_answer is None:
        return ()
    events = (
        HITLApprovalHistory.objects.filter(
            approval__conversation=conversation, event_type__in=REPORTED, timestamp__gt=last_answer
        )
        .select_related("approval")
        .order_by("timestamp")[:MAX_NOTES]
    )
    return tuple(_note(event) for event in events)


def _note(event) -> DecisionNote:
    approval = event.approval
    detail = {
        "rejected": approval.rejection_reason,
        "edited": event.description,
        "execution_failed": approval.execution_error,
    }.get(event.event_type, "")
    return DecisionNote(
        reference=approval.reference,
        action_type=approval.action_type,
        outcome=event.event_type,
        summary=approval.action_summary,
        detail=detail or "",
        action_data=approval.action_data,
    )
