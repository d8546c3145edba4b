"""What the requester and the approver of an approval are told of its outcome, and what the chip beside the request
shows.

The words are written once here and said on every channel: `hitl.notifying.announce` stores them as one message on
the requester's conversation, which the chat shows and WhatsApp and email send. Callers pass them as functions, so
they are written in the requester's language. Approvers are named as the product names its people to customers
(`conversations.delivery.display_name`): by name, never by address.
"""

import re
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agents import action_specs
from agents.action_specs.base import MONEY, field_label, money
from conversations.delivery import display_name
from core.money import money_exact
from core.sentence import Sentence
from hitl.models import ApprovalStatus, HITLApproval, HITLApprovalHistory
from tenants.languages import language_of

Event = HITLApprovalHistory.Event

# What an approver may type beside the action's own data (hitl.services.edits.EDITABLE).
TYPED_LABELS = {
    "estimated_cost": gettext_lazy("Estimated cost"),
    "estimated_reach": gettext_lazy("Estimated reach"),
    "summary": gettext_lazy("Summary"),
}


# --- the words --------------------------------------------------------------------------


def requesters_language(approval: HITLApproval) -> str:
    """The language the requester is told in: the one they asked in, else their setting."""
    return approval.language or language_of(approval.requested_by)


def approved(approval: HITLApproval, actor, changes: dict, note: str) -> str:
    """The last level approved, with an edit or a note: "Approved by Dana Reyes: …", then what they changed and said."""
    head = _("Approved by %(name)s: %(summary)s.") % {"name": display_name(actor), "summary": _clause(approval.summary)}
    return _with_lines(_one_stop(head), approval, actor, changes, note)


def level_approved(approval: HITLApproval, actor, level: int, changes: dict, note: str) -> str:
    """A level approved and more to come: "1 of 2 approved: …" (the chip says "1 of 2 approved" too)."""
    head = _(
        "%(approved)s of %(levels)s approved: %(name)s approved “%(summary)s”; it now waits for the next level."
    ) % {
        "approved": level,
        "levels": approval.total_levels,
        "name": display_name(actor),
        "summary": _clause(approval.summary),
    }
    return _with_lines(head, approval, actor, changes, note)


def approval_counted(approval: HITLApproval, actor, changes: dict, note: str) -> str:
    """One approval of several a level needs, told when it came with an edit or a note."""
    more = approval.required_approvals - approval.received_approvals
    head = ngettext(
        "%(name)s approved “%(summary)s”; it needs %(count)s more approval.",
        "%(name)s approved “%(summary)s”; it needs %(count)s more approvals.",
        more,
    ) % {"name": display_name(actor), "summary": _clause(approval.summary), "count": more}
    return _with_lines(head, approval, actor, changes, note)


def rerouted(approval: HITLApproval, actor, changes: dict) -> str:
    """An approver's edit made the request riskier: it starts again under the workflow that risk calls for."""
    head = _("As changed by %(name)s, your request needs approval again: %(summary)s.") % {
        "name": display_name(actor),
        "summary": _clause(approval.summary),
    }
    return _with_lines(_one_stop(head), approval, actor, changes, "")


def rejected(approval: HITLApproval, reason: str) -> str:
    return _one_stop(
        _("Rejected: %(summary)s. Reason: %(reason)s") % {"summary": _clause(approval.summary), "reason": reason}
    )


def expired(approval: HITLApproval) -> str:
    return _("Expired: nobody decided on “%(summary)s” in time. Ask again if it still matters.") % {
        "summary": _clause(approval.summary)
    }


def superseded(older: HITLApproval, newer: HITLApproval) -> str:
    return _one_stop(
        _(
            "Superseded: %(summary)s (%(reference)s) will not be done. "
            "The newer request %(newer)s replaces it: %(newer_summary)s."
        )
        % {
            "summary": _clause(older.summary),
            "reference": older.reference,
            "newer": newer.reference,
            "newer_summary": _clause(newer.summary),
        }
    )


def done(detail: str | Sentence) -> str:
    """The approved action ran: `detail` is the executor's account of it (a sentence: told in the active language)."""
    return _("Approved and done: %(detail)s") % {"detail": detail}


def not_done(approval: HITLApproval, reason: str) -> str:
    """The approved action failed: `reason` is the executor's account of why (an ad platform's answer, or what
    changed since the approval)."""
    return _one_stop(
        _("Approved, but it could not be done: %(summary)s. Reason: %(reason)s")
        % {"summary": _clause(approval.summary), "reason": reason}
    )


def not_confirmed(approval: HITLApproval) -> str:
    """A silent execution was marked failed: the receiver may have applied it."""
    return _one_stop(
        _("Approved, but it was not confirmed done: %(summary)s. An admin is on it.")
        % {"summary": _clause(approval.summary)}
    )


def decision_taken(approval: HITLApproval) -> str:
    """What the approver who just decided is told, whichever door they decided through (a link's page, a reply)."""
    if approval.status == ApprovalStatus.REJECTED:
        return _("You rejected %(ref)s. It will not run.") % {"ref": approval.reference}
    if approval.is_pending:
        return _(
            "Your approval of %(ref)s is recorded. It still needs other approvals "
            "(now at level %(level)s of %(levels)s)."
        ) % {"ref": approval.reference, "level": approval.approval_level, "levels": approval.total_levels}
    return _("You approved %(ref)s. It will now be carried out.") % {"ref": approval.reference}


def _clause(text: str) -> str:
    """`text` to stand inside a sentence, without the full stop it may end with (an outside agent's description
    often has one): the sentence's own is then the only one. A "?", "!" or "…" stays: see _one_stop."""
    return text.rstrip().rstrip(".")


def _one_stop(sentence: str) -> str:
    """`sentence` without the full stop it puts after a clause that ends in "?", "!" or "…": that mark ends it."""
    return re.sub(r"(?<=[?!…])\.(?=\s|$)", "", sentence)


def _with_lines(head: str, approval, actor, changes: dict, note: str) -> str:
    lines = [head]
    if changes:
        lines.append(
            _("%(name)s changed your request: %(changes)s.")
            % {"name": display_name(actor), "changes": changed(approval, changes)}
        )
    if note.strip():
        lines.append(_("Note from %(name)s: “%(note)s”") % {"name": display_name(actor), "note": note.strip()})
    return "\n".join(lines)


def changed(approval: HITLApproval, changes: dict) -> str:
    """`{field: [before, after]}` in words: "Daily budget $700.00 → $650.00; Estimated cost $6,000.00 → $4,500.00"."""
    spec = action_specs.spec_for(approval.action_type)
    schema = spec.properties if spec else {}
    return "; ".join(
        _("%(field)s %(before)s → %(after)s")
        % {
            "field": TYPED_LABELS.get(key) or field_label(key),
            "before": _value(schema, key, before, approval.currency),
            "after": _value(schema, key, after, approval.currency),
        }
        for key, (before, after) in changes.items()
    )


def _value(schema: dict, key: str, value, currency: str) -> str:
    if key == "estimated_cost" or schema.get(key) == MONEY:
        amount = money(value)
        return money_exact(amount, currency) if amount is not None else str(value)
    if key == "estimated_reach" and isinstance(value, int | Decimal):
        return number_format(value, use_l10n=True, force_grouping=True)
    return "—" if value in (None, "") else str(value)


# --- the chip ---------------------------------------------------------------------------


def chips(approvals: list[HITLApproval]) -> dict[str, dict]:
    """By approval id, what the requester's chip shows beside its status and summary: how many of several levels
    are approved (`levels`, `approved_levels`, while it waits) and who last changed it (`edited_by`)."""
    shown = {str(a.pk): _progress(a, set()) for a in approvals}
    entries = (
        HITLApprovalHistory.objects.filter(approval__in=approvals, event_type__in=[Event.EDITED, Event.LEVEL_APPROVED])
        .select_related("actor")
        .order_by("timestamp")
    )
    approved_levels = {str(a.pk): set() for a in approvals}
    for entry in entries:
        key = str(entry.approval_id)
        if entry.event_type == Event.EDITED and entry.actor is not None:
            shown[key]["edited_by"] = display_name(entry.actor)
        elif entry.event_type == Event.LEVEL_APPROVED and isinstance(entry.metadata.get("level"), int):
            approved_levels[key].add(entry.metadata["level"])
    for approval in approvals:
        shown[str(approval.pk)].update(_progress(approval, approved_levels[str(approval.pk)]))
    return shown


def chip(approval: HITLApproval) -> dict:
    return chips([approval])[str(approval.pk)]


def when_filed(approval: HITLApproval) -> dict:
    """The chip of a request just filed (no query): "0 of 2 approved" when it has several levels."""
    return _progress(approval, set())


def _progress(approval: HITLApproval, approved_levels: set[int]) -> dict:
    """Levels passed by approval, not by escalation: those below the current one that recorded `level_approved`
    (its level in the entry's metadata). An edit that re-routes the request starts it again from level 1."""
    if not approval.is_pending or approval.total_levels < 2:
        return {}
    passed = {level for level in approved_levels if level < approval.approval_level}
    return {"levels": approval.total_levels, "approved_levels": len(passed)}
