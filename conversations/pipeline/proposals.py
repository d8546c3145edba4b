"""Actions an engine proposed: through the tool gateway, then to human approval. Nothing is executed here."""

from agents.gateway import review
from analytics.events import record
from analytics.models import EventType
from conversations.normalized import REFUSED, ActionOutcome
from hitl.notifying import told
from hitl.services.conflicts import AlreadyWaiting, OwnRequestWaiting
from hitl.services.requests import request_approval


def propose(actions, *, conversation, message, agent, revision_of=None, held=None) -> list[ActionOutcome]:
    """Each proposal as the requester will see it: waiting (or decided by automatic rules), or refused.
    `revision_of`: the request an approver answered with a note, which these revise. `held`: a list to put
    (proposal, request) in, instead of filing it, for each proposal that would replace a request the person
    asked for that still waits (conversations.pipeline.held)."""
    if not actions:
        return []
    tenant, user = conversation.tenant, conversation.user
    verdict = review(actions, tenant=tenant, agent=agent, user=user, conversation_id=conversation.pk)
    outcomes = []
    for action in verdict.accepted:
        try:
            approval = request_approval(
                tenant=tenant,
                agent=agent,
                action=action,
                requested_by=user,
                conversation=conversation,
                source_message=message,
                revision_of=revision_of,
                ask_before_replacing_own=held is not None,
            )
        except OwnRequestWaiting as own:
            held.append((action, own.approval))
            continue
        except AlreadyWaiting as waiting:
            first = waiting.approval
            outcomes.append(
                ActionOutcome(first.summary, first.status, str(first.pk), first.reference, already_waiting=True)
            )
            continue
        outcomes.append(
            ActionOutcome(
                action.summary,
                approval.status,
                approval_id=str(approval.pk),
                reference=approval.reference,
                **told.when_filed(approval),  # "0 of 2 approved" on the chip of a request of several levels
            )
        )
    for refusal in verdict.refused:
        outcomes.append(ActionOutcome(refusal.action.summary, REFUSED, reason=refusal.reason))
        record(
            EventType.ACTION_REFUSED,
            tenant=tenant,
            user=user,
            conversation_id=conversation.pk,
            action_type=refusal.action.action_type,
            reason=refusal.reason,
        )
    return outcomes
