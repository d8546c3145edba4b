"""Slack as a direct sender of conversations.delivery ("slack"): a post for the tenant's support team, such as a
customer asking for a person (conversations.support_notices). Through the Slack app when the tenant connected a
workspace (to `address`, a channel id, else the workspace's default channel), else through the tenant's
incoming-webhook URL, as approvals fall back (`webhook`)."""

import httpx

from channels_app.slack.client import SlackRefused, SlackUnavailable, call
from channels_app.slack.models import SlackWorkspace
from channels_app.slack.webhook import TIMEOUT_SECONDS
from core.sending import TransientSendError
from tenants import outbound
from tenants.models import Tenant


def post(address: str, text: str, *, tenant_id, **details) -> str:
    """The message's ts in Slack ("" through a webhook); TransientSendError to retry, ValueError for good."""
    workspace = SlackWorkspace.objects.filter(tenant_id=tenant_id).first()
    if workspace is None:
        return _through_webhook(Tenant.objects.get(pk=tenant_id).slack_webhook_url, text)
    channel = address or workspace.default_channel
    if not channel:
        raise ValueError("no Slack channel: the workspace has no default channel")
    try:
        return call(workspace, "chat.postMessage", channel=channel, text=text).get("ts", "")
    except SlackUnavailable as error:
        raise TransientSendError(str(error)) from error
    except SlackRefused as error:
        raise ValueError(f"Slack refused the post: {error}") from error


def _through_webhook(url: str, text: str) -> str:
    if not url:
        raise ValueError("the tenant has neither a Slack workspace nor a Slack webhook URL")
    try:
        response = outbound.post(url, json={"text": text}, timeout=TIMEOUT_SECONDS)
    except outbound.OutboundURLRefused as exc:
        raise ValueError(f"Walker may not send to the Slack webhook URL: {exc}") from exc
    except httpx.HTTPError as exc:
        raise TransientSendError(f"Slack unreachable: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientSendError(f"Slack answered HTTP {response.status_code}")
    if not response.is_success:
        raise ValueError(f"Slack answered HTTP {response.status_code}")
    return ""
