"""An approval as a Slack message (Block Kit): the approval email's facts (who asked, what, the cost in money, the
risk), and the buttons while Slack may decide it; once it is decided, how it ended and no button that decides.

Times are Slack date tokens, shown in each reader's own time zone.
"""

from django.utils.translation import gettext as _

from conversations.delivery import display_name
from hitl.links import approval_url
from hitl.models import ApprovalStatus, HITLApproval
from hitl.presentation import action_label, cost_in_money, excerpt, the_ask
from hitl.services import step_up

APPROVE, REJECT, DETAILS = "walker_approve", "walker_reject", "walker_details"  # the buttons' action ids
REJECT_MODAL = "walker_reject_reason"  # the rejection modal's callback id
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"


def when(moment) -> str:
    """A Slack date token: the reader's time zone in Slack, UTC in the fallback."""
    if moment is None:
        return ""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def plain(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup: what people typed is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def facts(approval: HITLApproval) -> list[dict]:
    """The approval email's facts, from the same presentation (hitl.presentation.the_ask)."""
    ask = the_ask(approval)
    fields = [
        (_("Asked by"), ask.who),
        (_("They said"), excerpt(ask.said, 300)) if ask.said else None,
        (_("Action"), action_label(approval)),
        (_("What this will do"), ask.effect) if ask.effect else None,
        (_("Estimated cost"), ask.cost),
        (_("Risk"), ask.risk),
    ]
    return [{"type": "mrkdwn", "text": f"*{title}*\n{plain(text)}"} for title, text in filter(None, fields)]


def outcome(approval: HITLApproval) -> str:
    """How it ended, or where it stands, in one line: "Approved by Ann Lee at <date>"."""
    status = approval.status
    if status == ApprovalStatus.PENDING:
        if approval.escalated_at:
            return _("Escalated %(when)s; waiting at level %(level)s of %(levels)s.") % {
                "when": when(approval.escalated_at),
                "level": approval.approval_level,
                "levels": approval.total_levels,
            }
        return _("Waiting for a decision at level %(level)s of %(levels)s.") % {
            "level": approval.approval_level,
            "levels": approval.total_levels,
        }
    if status == ApprovalStatus.REJECTED:
        person = display_name(approval.rejected_by) if approval.rejected_by else _("an automatic rule")
        return _("Rejected by %(name)s at %(when)s: %(reason)s") % {
            "name": plain(person),
            "when": when(approval.rejected_at),
            "reason": plain(approval.rejection_reason),
        }
    if approval.approved_at is not None:  # approved, and possibly run since
        person = display_name(approval.approved_by) if approval.approved_by else _("an automatic rule")
        line = _("Approved by %(name)s at %(when)s.") % {"name": plain(person), "when": when(approval.approved_at)}
        if status != ApprovalStatus.APPROVED:
            line += " " + _("Now %(status)s.") % {"status": approval.get_status_display().lower()}
        return line
    return _("%(status)s at %(when)s.") % {"status": approval.get_status_display(), "when": when(approval.resolved_at)}


def decidable(approval: HITLApproval) -> bool:
    """Whether Slack's buttons may decide it: pending, and under the tenant's step-up level."""
    return approval.is_pending and not step_up.needed(approval)


def message(approval: HITLApproval) -> dict:
    """chat.postMessage's and chat.update's `text` and `blocks`."""
    title = f"{approval.reference} · {approval.summary}"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{plain(title)}*"}},
        {"type": "section", "fields": facts(approval)},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": outcome(approval)}]},
    ]
    details = {
        "type": "button",
        "action_id": DETAILS,
        "text": {"type": "plain_text", "text": _("Details")},
        "url": approval_url(approval),
    }
    if decidable(approval):
        value = str(approval.pk)
        buttons = [
            {
                "type": "button",
                "action_id": APPROVE,
                "style": "primary",
                "value": value,
                "text": {"type": "plain_text", "text": _("Approve")},
            },
            {
                "type": "button",
                "action_id": REJECT,
                "style": "danger",
                "value": value,
                "text": {"type": "plain_text", "text": _("Reject")},
            },
            details,
        ]
    else:
        if approval.is_pending:  # above the step-up level: the console, with a second factor
            why = step_up.explain(approval)
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": plain(why)}]})
            details["text"]["text"] = _("Decide in Walker")
        buttons = [details]
    blocks.append({"type": "actions", "block_id": "walker_buttons", "elements": buttons})
    return {"text": f"{title} — {_('Estimated cost')} {cost_in_money(approval)}", "blocks": blocks}


def reject_modal(approval: HITLApproval, metadata: str) -> dict:
    """views.open's `view`: the reason a rejection needs, told to the requester. `metadata` comes back with the
    submission (the approval and the message the click came from)."""
    return {
        "type": "modal",
        "callback_id": REJECT_MODAL,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": _("Reject %(reference)s") % {"reference": approval.reference}},
        "submit": {"type": "plain_text", "text": _("Reject")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": plain(approval.summary)}},
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": _("Why do you reject it?")},
                "element": {"type": "plain_text_input", "action_id": REASON_INPUT, "multiline": True},
            },
        ],
    }
