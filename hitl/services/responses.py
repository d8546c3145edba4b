"""Answering a request with a note to its agent instead of deciding (LangChain Agent Inbox's "respond").

An approver who would decide it writes to the agent ("propose a cheaper option"). The request stops waiting for a
decision (`revising`: nobody approves it meanwhile; the row lock makes a note and a decision at the same instant
one after the other, and the second finds it no longer pending). The agent is asked on the conversations queue
(conversations.pipeline.revisions, registered here when conversations is ready): it answers the requester on their
channel and files its revised proposal, linked by `revision_of`; the first is then closed as superseded. When the
agent proposes nothing else, the first waits for a decision again. Each step is in the history.

An agent outside Walker reads the note as its request's decision (hitl.outside_decisions): the note ends that request
(no one left to decide it, no clock running), and the agent asks again with a new request if the note says how.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.sentence import Sentence
from hitl.access import get_approval_for_user
from hitl.errors import DecisionError
from hitl.history import Event, log
from hitl.models import Answer, HITLApproval
from hitl.notifying.announce import announce
from hitl.notifying.approvers import Notice, notify
from hitl.services.decisions import IN_CONSOLE, require_allowed, require_decider
from hitl.services.levels import close_out
from tenants.access import Need

NOTE_LIMIT = 1000  # characters: a note for the agent, not a document

_reviser: Callable[[str], None] | None = None


def register_reviser(ask_agent: Callable[[str], None]) -> None:
    """`ask_agent(approval_id)` queues the agent's revision (conversations, above hitl, gives it when ready)."""
    global _reviser
    _reviser = ask_agent


def respond(approval_id, *, actor, note: str, origin=IN_CONSOLE) -> HITLApproval:
    """Send the agent `note` about the waiting request; the approver's own checks apply, as for a decision."""
    note = (note or "").strip()
    if not note:
        raise DecisionError("note_required", "Say what the agent should change, e.g. “propose a cheaper option”.")
    if len(note) > NOTE_LIMIT:
        raise DecisionError("note_too_long", f"A note to the agent has at most {NOTE_LIMIT} characters.")
    with transaction.atomic():
        approval = get_approval_for_user(actor, approval_id, Need.VIEW, for_update=True)
        require_decider(approval, actor)
        require_allowed(approval, Answer.RESPOND)
        outside = approval.outside  # the agent reads the note through the API
        if outside is None and (approval.conversation_id is None or approval.agent_id is None):
            raise DecisionError(
                "no_conversation", f"{approval.reference} came from no conversation: no agent can answer its requester."
            )
        previous = approval.status
        approval.mark_revising()
        fields = ["status"]
        if outside is not None:  # the note ends it: the agent asks again with a new request, if it does
            approval.resolved_at = timezone.now()
            fields += ["resolved_at", *close_out(approval)]
        approval.save(update_fields=fields)
        log(approval, Event.RESPONDED, note, actor=actor, origin=origin, previous_status=previous)
        announce(approval)  # the requester's chip: a revision was asked
        if _reviser is not None and outside is None:
            transaction.on_commit(lambda: _reviser(str(approval.pk)))
    return approval


def note_for_agent(approval: HITLApproval) -> str:
    """The latest note an approver sent the agent about `approval`."""
    entry = approval.history.filter(event_type=Event.RESPONDED).order_by("-timestamp").first()
    return entry.description if entry is not None else ""


def close_as_revised(original: HITLApproval, revision: HITLApproval) -> None:
    """The agent filed `revision` for the locked `original`, which is closed as superseded by it."""
    previous = original.status
    original.mark_superseded()
    original.resolved_at = revision.requested_at
    cleared = close_out(original)
    original.save(update_fields=["status", "resolved_at", *cleared])
    log(
        original,
        Event.SUPERSEDED,
        Sentence(
            gettext_noop("Superseded by %(reference)s, the agent's revision after an approver's note: %(summary)s"),
            reference=revision.reference,
            summary=revision.action_summary,
        ),
        previous_status=previous,
        superseded_by=revision.reference,
    )
    notify(original, Notice.DECIDED)
    announce(original)


def revision_failed(original: HITLApproval, answer: str) -> None:
    """The agent proposed nothing else for the locked `original`: it waits for a decision again, as it was."""
    previous = original.status
    original.mark_unrevised()
    original.save(update_fields=["status"])
    log(
        original,
        Event.REVISION_FAILED,
        Sentence(
            gettext_noop(
                "The agent proposed nothing else; the request waits for a decision again. It answered: %(answer)s"
            ),
            answer=answer[:500],
        ),
        previous_status=previous,
    )
    announce(original)
