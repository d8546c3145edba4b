"""The Slack app's Celery tasks (the notifications queue): every Web API call is made here, never inside the
3-second acknowledgement of an interaction, and retried with backoff while Slack is unavailable."""

import json
import logging
from functools import wraps

from celery import shared_task

from core.commit import after_commit
from hitl.models import SlackWorkspace
from hitl.slack import blocks, deciding, messages
from hitl.slack.client import SlackRefused, SlackUnavailable, call
from tenants.languages import speaking

log = logging.getLogger(__name__)

RETRIES = {
    "acks_late": True,
    "autoretry_for": (SlackUnavailable,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": False,
    "max_retries": 5,
}


def refused_for_good(call_slack):
    """Slack refused for good (a channel the bot is not in, a revoked token): logged, not retried."""

    @wraps(call_slack)
    def run(*args):
        try:
            return call_slack(*args)
        except SlackRefused as error:
            log.warning("slack_refused", extra={"task": call_slack.__name__, "error": str(error)})
            return f"refused: {error}"

    return run


@shared_task(**RETRIES)
@refused_for_good
def post_approval(approval_id: str) -> str:
    posted = messages.post(approval_id)
    if posted == messages.OUTDATED:  # decided (or changed) while Slack took the post: its own update found no message
        after_commit(refresh_message, approval_id)
    return posted


@shared_task(**RETRIES)
@refused_for_good
def refresh_message(approval_id: str) -> str:
    return messages.refresh(approval_id)


@shared_task(**RETRIES)
@refused_for_good
def tell_privately(workspace_id: str, channel: str, slack_user_id: str, text: str) -> str:
    workspace = SlackWorkspace.objects.filter(pk=workspace_id).first()
    if workspace is None or not channel:
        return "nowhere to tell"
    messages.tell(workspace, channel, slack_user_id, text)
    return "told"


def _click(team_id, slack_user_id, approval_id, channel, message_ts):
    workspace = SlackWorkspace.objects.select_related("tenant").filter(team_id=team_id).first()
    return workspace, deciding.Click(team_id, slack_user_id, approval_id, channel, message_ts)


@shared_task(acks_late=True)
def decide_click(team_id, slack_user_id, approval_id, channel, message_ts, verb, reason="") -> str:
    """Decide once (a redelivered task finds it decided and tells so); the answer is sent by its own task."""
    workspace, click = _click(team_id, slack_user_id, approval_id, channel, message_ts)
    if workspace is None:
        return "no workspace"
    answer = deciding.decide(workspace, click, verb, reason)
    tell_privately.delay(str(workspace.pk), channel, slack_user_id, answer)
    return answer


@shared_task
def ask_reason(team_id, slack_user_id, approval_id, channel, message_ts, trigger_id) -> str:
    """The rejection's modal, for a clicker who may reject; Slack's trigger lasts 3 seconds, so views.open is tried
    once and a failure is told privately rather than retried."""
    workspace, click = _click(team_id, slack_user_id, approval_id, channel, message_ts)
    if workspace is None:
        return "no workspace"
    try:
        person, approval = deciding.may_decide_here(workspace, click)
    except deciding.Answer as answer:
        tell_privately.delay(str(workspace.pk), channel, slack_user_id, str(answer))
        return str(answer)
    metadata = json.dumps({"approval": approval_id, "channel": channel, "ts": message_ts})
    with speaking(person):
        view = blocks.reject_modal(approval, metadata)
        try:
            call(workspace, "views.open", trigger_id=trigger_id, view=view)
        except (SlackUnavailable, SlackRefused):
            text = deciding.could_not_open(approval)
            tell_privately.delay(str(workspace.pk), channel, slack_user_id, text)
            return text
    return "asked"
