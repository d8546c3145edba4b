"""Slack's fallback transport: the tenant's incoming-webhook URL (`Tenant.slack_webhook_url`), for a tenant that has
not connected a workspace to the Slack app. One post per notification row, written for its person, without buttons;
a tenant that connects a workspace is told through the app instead (`channels_app.slack.notifier`)."""

import httpx

from core.sending import TransientSendError
from hitl.models import HITLNotification
from tenants import outbound

TIMEOUT_SECONDS = 10


def send(row: HITLNotification) -> tuple[str, str]:
    url = row.approval.tenant.slack_webhook_url
    if not url:
        raise ValueError("the tenant has no Slack webhook URL")
    text = {"text": f"*{row.subject}*\n{row.message}"}
    try:
        response = outbound.post(url, json=text, timeout=TIMEOUT_SECONDS)
    except outbound.OutboundURLRefused as exc:
        raise ValueError(f"Walker may not send to the Slack webhook URL: {exc}") from exc
    except httpx.HTTPError as exc:
        raise TransientSendError(f"Slack unreachable: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientSendError(f"Slack answered HTTP {response.status_code}")
    if not response.is_success:  # only the status: the receiver's words are not shown
        raise ValueError(f"Slack answered HTTP {response.status_code}")
    return "slack", ""
