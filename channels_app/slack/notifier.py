"""Slack as hitl's notification channel "slack", registered with `hitl.notifying.registry` when the app is ready
(channels_app.apps): a tenant that connected a workspace is told through the Slack app (one message per approval,
with its buttons, updated in place: `hooks`); a tenant that did not is told through the fallback transport, its
incoming-webhook URL (`webhook`, one post per notification row). The approval's page lists the app's message among
who was told (`timeline`)."""

from django.utils.translation import gettext as _

from channels_app.slack import hooks, webhook
from channels_app.slack.models import SlackApprovalMessage
from hitl.models import HITLApproval
from hitl.notifying.registry import register_sender
from hitl.timeline import Entry


def timeline(approval: HITLApproval) -> list[Entry]:
    message = SlackApprovalMessage.objects.filter(approval=approval).first()
    return [] if message is None else [entry(message)]


def entry(message: SlackApprovalMessage) -> Entry:
    """The Slack line: where the message was posted, or what failed (the post itself, or an update since)."""
    where = {"channel": message.channel}
    if message.status != SlackApprovalMessage.Status.FAILED:
        title = _("Slack: posted in %(channel)s") % where
    elif message.ts:
        title = _("Slack: posted in %(channel)s, not updated since") % where
    else:
        title = _("Slack: not posted in %(channel)s") % where
    when = message.failed_at or message.updated_at or message.posted_at
    return Entry(when=when, title=title, who=message.get_status_display(), text=message.failure_reason)


def register() -> None:
    register_sender("slack", webhook.send, takes_over=hooks.takes_over, recorded=hooks.recorded, timeline=timeline)
