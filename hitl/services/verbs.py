"""The verbs a person may say to an approval, and the one way they are all said.

The admin's buttons and bulk actions, the API's endpoints, one-click links and replies by email or WhatsApp call
`act` with a verb of `VERBS`; each door keeps only its own words. Adding a verb is one entry: the console's form and
the API (an endpoint per verb) offer it at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from hitl.errors import DecisionError
from hitl.models import HITLApproval
from hitl.services.closing import cancel, escalate
from hitl.services.decisions import approve, reject
from hitl.services.execution import abandon_execution, retry_execution
from hitl.services.recovery import requeue_execution
from hitl.services.responses import respond
from hitl.services.step_up import demand
from tenants.access import Need
from tenants.privacy.audit import Origin


class Note(StrEnum):
    """Whether a verb takes the words a person writes beside it (a reason, a note)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


class Door(StrEnum):
    """Where a person chooses among the verbs. One-click links carry approve or reject (`hitl.links.DECISIONS`) and
    replies say them (`hitl.replies`): both call `act` too."""

    CONSOLE = "console"  # the admin: the approval page's buttons and the queue's bulk actions
    API = "api"


BOTH = frozenset(Door)


@dataclass(frozen=True)
class Verb:
    name: str
    run: Callable[..., HITLApproval]  # (approval_id, *, actor, origin, note, edits) -> the approval as it now is
    done: str  # the console's answer, with %(reference)s
    description: str  # the API endpoint's, for the schema
    note: Note = Note.NONE
    note_field: str = "reason"  # the field the note comes in, in the console's form and the API's body
    edits: bool = False  # the approver may change the action first
    need: Need = Need.DECIDE  # what the door checks before offering it (the service checks the rest)
    doors: frozenset = BOTH
    path: str = ""  # the API endpoint's last segment; the name, dashed, when empty
    aliases: tuple = field(default=())  # other names a door posts it as
    done_with_edits: str = ""  # the console's answer when the approver changed the action first
    step_up: bool = False  # decides the request: at the tenant's step-up level, a fresh second factor first

    @property
    def url_path(self) -> str:
        return self.path or self.name.replace("_", "-")


def _approve(approval_id, *, actor, origin, note, edits):
    return approve(approval_id, actor=actor, notes=note, edits=edits, origin=origin)


def _reject(approval_id, *, actor, origin, note, edits):
    return reject(approval_id, actor=actor, reason=note, origin=origin)


def _escalate(approval_id, *, actor, origin, note, edits):
    return escalate(approval_id, actor=actor, reason=note, origin=origin)


def _respond(approval_id, *, actor, origin, note, edits):
    return respond(approval_id, actor=actor, note=note, origin=origin)


def _cancel(approval_id, *, actor, origin, note, edits):
    return cancel(approval_id, actor=actor, reason=note, origin=origin)


def _retry(approval_id, *, actor, origin, note, edits):
    return retry_execution(approval_id, actor=actor)


def _mark_failed(approval_id, *, actor, origin, note, edits):
    return abandon_execution(approval_id, actor=actor, reason=note)


def _requeue(approval_id, *, actor, origin, note, edits):
    return requeue_execution(approval_id, actor=actor)


VERBS: dict[str, Verb] = {
    verb.name: verb
    for verb in (
        Verb(
            "approve",
            _approve,
            _("%(reference)s approved."),
            "Approve, optionally with a note and with edits to the action.",
            note=Note.OPTIONAL,
            note_field="notes",
            edits=True,
            done_with_edits=_("%(reference)s approved with your edits."),
            step_up=True,
        ),
        Verb(
            "reject",
            _reject,
            _("%(reference)s rejected."),
            "Reject, with the reason the requester is told.",
            note=Note.REQUIRED,
            step_up=True,
        ),
        Verb(
            "escalate",
            _escalate,
            _("%(reference)s escalated."),
            "Move the request to the next level, or past the last one to a tenant admin.",
            note=Note.REQUIRED,
        ),
        Verb(
            "respond",
            _respond,
            _("%(reference)s: your note went to the agent; its revised proposal will replace this request."),
            "Send the agent a note instead of deciding; it answers the requester with a revised proposal that "
            "supersedes this one.",
            note=Note.REQUIRED,
            note_field="note",
        ),
        Verb(
            "cancel",
            _cancel,
            _("%(reference)s cancelled."),
            "Withdraw the request (its requester) or stop it (a tenant admin).",
            note=Note.OPTIONAL,
            need=Need.VIEW,
            doors=frozenset({Door.API}),
        ),
        Verb(
            "retry",
            _retry,
            _("%(reference)s will run again."),
            "Run a failed action again (approvers and admins).",
        ),
        Verb(
            "mark_failed",
            _mark_failed,
            _("%(reference)s marked failed; check the receiver before running it again."),
            "Mark failed an execution that has not reported back within EXECUTION_STUCK_MINUTES, so it can be retried.",
            note=Note.OPTIONAL,
            aliases=("abandon",),  # what the approval page's button posts
        ),
        Verb(
            "requeue",
            _requeue,
            _("%(reference)s sent to a worker again."),
            "Send an approved execution that no worker carries out to a worker again.",
            doors=frozenset({Door.CONSOLE}),
        ),
    )
}


def offered_at(door: Door) -> list[Verb]:
    return [verb for verb in VERBS.values() if door in verb.doors]


def verb_named(word: str, door: Door) -> Verb | None:
    """The verb `door` offers under `word` (its name or an alias), or None."""
    for verb in offered_at(door):
        if word == verb.name or word in verb.aliases:
            return verb
    return None


def check(verb: str, approval_id, *, actor, origin: Origin, edits=None) -> Verb:
    """The verb, once it may be said from `origin`: known, and, where it decides at the tenant's step-up level (the
    approval as `edits` would make it), with a fresh second factor (`StepUpRequired`, recorded in the approval's
    history, otherwise). `act` asks it first; a door that wraps `act` in a transaction of its own (one-click links)
    asks it before, so the record stays."""
    chosen = VERBS.get(verb)
    if chosen is None:
        raise DecisionError("bad_decision", f"Unknown decision {verb!r}.")
    if chosen.step_up:
        demand(chosen.name, approval_id, actor=actor, origin=origin, edits=edits if chosen.edits else None)
    return chosen


def act(verb: str, approval_id, *, actor, origin: Origin, note: str = "", edits=None) -> HITLApproval:
    """Say `verb` to the approval as `actor`, from `origin`: the step-up gate, then the service's checks, locks and
    record apply."""
    chosen = check(verb, approval_id, actor=actor, origin=origin, edits=edits)
    if edits and not chosen.edits:
        raise DecisionError("invalid_edit", "Edits apply only when approving.")
    return chosen.run(approval_id, actor=actor, origin=origin, note=note, edits=edits)
