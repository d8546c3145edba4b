"""An approver's note instead of a decision, answered by the agent (hitl.services.responses asks for it).

In a worker, on the answers queue: the agent's engine is run on the request and the note (the built-in engine
revises a budget; an external engine reads the note among its `decisions`), outside any transaction. Then, under
the conversation's and the request's locks: the revised proposal is filed linked to the first (`revision_of`), the
first closed as superseded, and the agent's answer stored on the requester's conversation and sent on its channel.
When the engine proposes nothing else, its answer goes to the requester all the same and the first request waits
for a decision again. Run twice, the second run finds the request no longer being revised and does nothing.
"""

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agents.engines import get_engine, run_engine
from agents.engines.base import DecisionNote, EngineReply, EngineRequest, HistoryItem, Outcome
from conversations import delivery, events
from conversations.events import EventKind
from conversations.models import Conversation, ConversationEvent, Message
from conversations.outbound import outbound_message
from conversations.pipeline.proposals import propose
from conversations.pipeline.replies import compose
from hitl.models import ApprovalStatus, HITLApproval
from hitl.notifying import told
from hitl.services.responses import close_as_revised, note_for_agent, revision_failed

log = logging.getLogger(__name__)


def revise(approval_id) -> None:
    approval = (
        HITLApproval.objects.select_related("tenant", "agent", "conversation__user", "source_message")
        .filter(pk=approval_id, status=ApprovalStatus.REVISING)
        .first()
    )
    if approval is None or approval.conversation is None or approval.agent is None:
        return  # already revised (a redelivered task), or its conversation or agent is gone
    with translation.override(told.requesters_language(approval)):
        reply = _ask_engine(approval, note_for_agent(approval))
        _store(approval.pk, approval.conversation, reply)


def _ask_engine(approval: HITLApproval, note: str) -> EngineReply:
    conversation = approval.conversation
    asked = approval.source_message.text if approval.source_message is not None else approval.action_summary
    request = EngineRequest(
        tenant=approval.tenant,
        user=conversation.user,
        agent=approval.agent,
        conversation_id=str(conversation.pk),
        text=note,
        history=(HistoryItem("user", asked),),
        decisions=(
            DecisionNote(
                reference=approval.reference,
                action_type=approval.action_type,
                outcome=Outcome.REVISION_ASKED,
                summary=approval.summary,
                detail=note,
                action_data=approval.action_data,
            ),
        ),
    )
    try:
        return run_engine(get_engine(approval.tenant, approval.agent), request)
    except Exception:  # the first request waits for a decision again; the requester is told nothing changed
        log.exception("Revising approval %s failed", approval.pk)
        return EngineReply(text="", understood=False)


@transaction.atomic
def _store(approval_id, conversation: Conversation, reply: EngineReply) -> None:
    seq = (
        Conversation.objects.select_for_update(no_key=True)
        .filter(pk=conversation.pk)
        .values_list("event_seq", flat=True)
        .get()
        + 1
    )
    original = HITLApproval.objects.select_for_update(no_key=True).filter(pk=approval_id).first()
    if original is None or original.status != ApprovalStatus.REVISING:
        return  # stopped meanwhile (cancelled by its requester), or a duplicate task got here first
    # The answer takes its number first, as in answering: an automatic rule may decide the revision at once.
    Conversation.objects.filter(pk=conversation.pk).update(event_seq=seq)
    outcomes = []
    if reply.actions:
        outcomes = propose(
            reply.actions,
            conversation=conversation,
            message=original.source_message,
            agent=original.agent,
            revision_of=original,
        )
    filed = HITLApproval.objects.filter(revision_of=original).order_by("requested_at").first()
    if filed is not None:
        close_as_revised(original, filed)
    else:
        revision_failed(original, reply.text)
    text = compose(reply.text, outcomes) or _nothing_revised(original)
    now = timezone.now()
    outbound = outbound_message(
        conversation,
        sender_type=Message.SenderType.AGENT,
        text=text,
        metadata={
            "agent_type": original.agent.agent_type,
            "agent": original.agent.name,
            "actions": [o.as_dict() for o in outcomes],
            "revision_of": original.reference,
        },
        seq=seq,
        created_at=now,
    )
    outbound.save(force_insert=True)
    waiting = any(o.status == ApprovalStatus.PENDING for o in outcomes)
    changes = {"last_message_at": now, "agent": original.agent}
    if waiting:
        changes["status"] = Conversation.Status.WAITING_APPROVAL
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    response = ConversationEvent(
        conversation_id=conversation.pk,
        seq=seq,
        event_type=EventKind.AGENT_RESPONSE,
        payload={
            "message_id": str(outbound.pk),
            "in_reply_to": None,
            "text": outbound.text,
            "agent": original.agent.agent_type,
            "actions": [o.as_dict() for o in outcomes],
            "revision_of": original.reference,
        },
    )
    response.seal_text()
    response.save(force_insert=True)
    events.broadcast_after_commit(response)
    delivery.deliver_after_commit(outbound)


def _nothing_revised(original: HITLApproval) -> str:
    return _("I could not revise %(summary)s (%(reference)s) just now; it waits for a decision as it stands.") % {
        "summary": original.summary,
        "reference": original.reference,
    }
