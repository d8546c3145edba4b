"""The Slack Web API as Walker calls it: one workspace's bot token, `SLACK_API_BASE_URL` (a local fake in tests),
and no retries of the SDK's own: Celery retries with backoff (`channels_app.slack.tasks`), never a web request."""

from urllib.error import URLError

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

TIMEOUT_SECONDS = 10
# Slack's words for "try again later"; anything else it refuses (channel_not_found, invalid_auth, …) stays refused.
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


class SlackUnavailable(Exception):
    """Worth retrying: Slack did not answer, answered 5xx or 429, or said to try later."""


class SlackRefused(Exception):
    """Slack answered and refused for good (its error code is the message); retrying would change nothing."""


def client_for(workspace) -> WebClient:
    return WebClient(
        token=workspace.bot_token,
        base_url=settings.SLACK_API_BASE_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def call(workspace, method: str, **fields) -> dict:
    """`method` (e.g. "chat.postMessage") with JSON `fields`; Slack's answer, or SlackUnavailable / SlackRefused."""
    try:
        return client_for(workspace).api_call(method, json=fields).data
    except SlackApiError as error:
        status = error.response.status_code
        code = error.response.get("error", "") if isinstance(error.response.data, dict) else ""
        if status >= 500 or status == 429 or code in TRANSIENT_ERRORS:
            raise SlackUnavailable(f"Slack answered {method} with HTTP {status} {code}".strip()) from error
        raise SlackRefused(code or f"HTTP {status}") from error
    except (URLError, TimeoutError, ConnectionError) as error:
        raise SlackUnavailable(f"Slack unreachable for {method}: {type(error).__name__}") from error
    except SlackClientError as error:
        raise SlackUnavailable(f"Slack's answer to {method} was unreadable: {type(error).__name__}") from error
