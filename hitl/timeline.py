"""The approval page's readable record: what led to the request, who holds it, and what happened since.

Replaces the raw inline tables (rows titled "HITLApprovalHistory object (…)", JSON changes) with lines a
person reads; dates are rendered by the template in the tenant's zone (tenants.middleware activates it).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agents.action_specs import MONEY_FIELDS
from agents.action_specs.base import FIELD_LABELS, field_label
from hitl import rules
from hitl.history import note
from hitl.models import HITLApproval
from hitl.notifying import registry
from tenants.privacy.audit import Origin
from tenants.templatetags.walker_l10n import money

_excerpt_reader = None  # conversations.approval_excerpt.excerpt, registered when conversations is ready


@dataclass
class Entry:
    when: object
    title: str
    who: str
    text: str
    status_change: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _name(user) -> str:
    return str(user) if user is not None else "Walker"


def _readable(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_readable(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {_readable(v)}" for k, v in value.items())
    return str(value)


def _label(key: str) -> str:
    """A changed field in the reader's words: the action data's label, else the approval's own field's."""
    if key in FIELD_LABELS:
        return field_label(key)
    try:
        return capfirst(HITLApproval._meta.get_field("action_summary" if key == "summary" else key).verbose_name)
    except FieldDoesNotExist:
        return key.replace("_", " ")


def _changes(changes, currency: str) -> list[tuple[str, str, str]]:
    """`{"field": [before, after]}` or `{"field": {"from":…, "to":…}}` or `{"field": value}` as rows, each field by
    its label and money in `currency` (the approval's)."""
    rows = []
    for key, value in (changes or {}).items():
        label = _label(key)

        def shown(item, key=key):
            return money(item, currency=currency) if key in MONEY_FIELDS and item not in (None, "") else _readable(item)

        if isinstance(value, (list, tuple)) and len(value) == 2:
            rows.append((label, shown(value[0]), shown(value[1])))
        elif isinstance(value, dict) and {"from", "to"} <= value.keys():
            rows.append((label, shown(value["from"]), shown(value["to"])))
        else:
            rows.append((label, "", shown(value)))
    return rows


def history(approval: HITLApproval) -> list[Entry]:
    entries = []
    for item in approval.history.select_related("actor").order_by("timestamp"):
        change = (
            f"{item.get_previous_status_display()} → {item.get_new_status_display()}"
            if item.previous_status and item.new_status and item.previous_status != item.new_status
            else ""
        )
        entries.append(
            Entry(
                when=item.timestamp,
                title=item.get_event_type_display(),
                who=_name(item.actor),
                text=note(item) or _("The note was erased with the personal data it held."),
                status_change=change,
                changes=_changes(item.changes, approval.currency),
            )
        )
    return entries


def decisions(approval: HITLApproval) -> list[Entry]:
    return [
        Entry(
            when=d.decided_at,
            title=_("Level %(level)s: %(decision)s") % {"level": d.level, "decision": d.get_decision_display()},
            who=_name(d.approver),
            text=d.notes,
            status_change=_("via %(via)s") % {"via": d.get_via_display()},
        )
        for d in approval.decisions.select_related("approver").order_by("decided_at")
    ]


def holder(approval: HITLApproval) -> str:
    """Who the request waits for, in words."""
    if not approval.is_pending:
        return ""
    if approval.escalated_to_id:
        return _("Escalated to %(person)s (%(reason)s)") % {
            "person": approval.escalated_to,
            "reason": approval.escalation_reason or _("no reason given"),
        }
    if approval.assigned_to_id:
        return _("Assigned to %(person)s") % {"person": approval.assigned_to}
    levels = approval.workflow_snapshot.get("approval_levels", [])
    level = levels[approval.approval_level - 1] if 0 < approval.approval_level <= len(levels) else {}
    return _("Waiting for %(who)s (level %(level)s)") % {
        "who": rules.told_name(level["name"]) if level.get("name") else _("the approvers"),
        "level": approval.approval_level,
    }


def register_excerpt(reader: Callable[[HITLApproval, object, Origin | None], dict | None]) -> None:
    """Conversations (above hitl) gives the approval page its reader of the messages that led to a request."""
    global _excerpt_reader
    _excerpt_reader = reader


def excerpt(approval: HITLApproval, viewer, origin: Origin | None = None) -> dict | None:
    """The messages that led to the request, as the registered reader shows them to `viewer`; None without one."""
    if _excerpt_reader is None or approval.conversation_id is None:
        return None
    return _excerpt_reader(approval, viewer, origin)


def notifications(approval: HITLApproval) -> list[Entry]:
    """Who was told, in order, with the lines of the channels that tell in their own way (hitl.notifying.registry:
    the approval's Slack message, where it was posted or failed)."""
    told = [
        Entry(
            when=n.created_at,
            title=_("%(event)s: %(channel)s to %(person)s")
            % {
                "event": n.get_event_display(),
                "channel": n.get_channel_display(),
                "person": n.recipient if n.recipient_id else "—",
            },
            who=n.get_status_display(),
            text=n.failure_reason,
        )
        for n in approval.notifications.select_related("recipient").order_by("created_at")
    ]
    theirs = registry.timeline(approval)
    return sorted([*told, *theirs], key=lambda entry: entry.when) if theirs else told
