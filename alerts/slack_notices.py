"""Alert notices on Slack: one post per incident event (opened, cleared) in the tenant's own workspace, to the rule's
Slack channel or else the workspace's default one, through the Slack app's Web API client (`channels_app.slack.client`).

The post has no recipient: it is written in the language of the rule's author (else the site's), the people reading
the channel being many. Slack unavailable raises TransientSendError, so `alerts.tasks.send_notice` retries it with
its backoff; a refusal for good (channel_not_found, not_in_channel, invalid_auth) fails the notice at once.
"""

from django.conf import settings
from django.utils import translation

from alerts.models import AlertNotice, AlertRule
from channels_app.slack.blocks import plain
from channels_app.slack.client import SlackUnavailable, call
from channels_app.slack.models import SlackWorkspace
from core.sending import TransientSendError
from tenants.languages import language_of


def workspace_of(tenant_id) -> SlackWorkspace | None:
    return SlackWorkspace.objects.filter(tenant_id=tenant_id).first() if tenant_id else None


def destination(rule: AlertRule, workspace: SlackWorkspace) -> str:
    return rule.slack_channel or workspace.default_channel


def speaking_for(rule: AlertRule):
    """`with speaking_for(rule):` writes what follows in the rule's author's language, else the site's."""
    return translation.override(language_of(rule.created_by) if rule.created_by_id else settings.LANGUAGE_CODE)


def post(row: AlertNotice) -> tuple[str, str]:
    """The notice's subject (bold) and message in the rule's channel; ("slack", the message's ts)."""
    workspace = workspace_of(row.tenant_id)  # the notice's own tenant: never another tenant's workspace
    if workspace is None:
        raise ValueError("the tenant has no Slack workspace connected")
    channel = destination(row.incident.rule, workspace)
    if not channel:
        raise ValueError("no Slack channel: the rule names none and the workspace has no default channel")
    try:
        answer = call(
            workspace, "chat.postMessage", channel=channel, text=f"*{plain(row.subject)}*\n{plain(row.message)}"
        )
    except SlackUnavailable as error:
        raise TransientSendError(str(error)) from error
    return "slack", answer.get("ts", "")
