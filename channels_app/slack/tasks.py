"""The Slack app's Celery tasks (the notifications queue): every Web API call is made here, never inside the
3-second acknowledgement of an interaction, and retried with backoff while Slack is unavailable. A post or update
of an approval's message that fails for good is recorded for the console (`channels_app.slack.outcomes`)."""

import json
import logging

from celery import shared_task

from channels_app.slack import blocks, deciding, messages, outcomes
from channels_app.slack.client import SlackRefused, SlackUnavailable, call
from channels_app.slack.models import SlackWorkspace
from core.commit import after_commit
from tenants.languages import speaking

log = logging.getLogger(__name__)
# The names the tasks had in hitl.slack.tasks, kept when the module moved here: tasks already queued under them still
# run, and CELERY_TASK_ROUTES routes them by that prefix.
OLD = "hitl.slack.tasks."

RETRIES = {
    "acks_late": True,
    "autoretry_for": (SlackUnavailable,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": False,
    "max_retries": 5,
}


def _refused(task_name: str, error: SlackRefused) -> str:
    log.warning("slack_refused", extra={"task": task_name, "error": str(error)})
    return f"refused: {error}"


def _recorded(task, approval_id: str, call_slack) -> str:
    """`call_slack(approval_id)`, its failure for good recorded on the approval's message for the console: Slack
    refusing it (not retried), or still unavailable at the last retry."""
    try:
        return call_slack(approval_id)
    except SlackRefused as error:
        outcomes.message_failed(approval_id, str(error))
        return _refused(task.name, error)
    except SlackUnavailable as error:
        if task.request.retries >= task.max_retries:
            outcomes.message_failed(approval_id, f"gave up after {task.request.retries + 1} tries: {error}")
        raise


@shared_task(name=OLD + "post_approval", bind=True, **RETRIES)
def post_approval(self, approval_id: str) -> str:
    posted = _recorded(self, approval_id, messages.post)
    if posted == messages.OUTDATED:  # decided (or changed) while Slack took the post: its own update found no message
        after_commit(refresh_message, approval_id)
    return posted


@shared_task(name=OLD + "refresh_message", bind=True, **RETRIES)
def refresh_message(self, approval_id: str) -> str:
    return _recorded(self, approval_id, messages.refresh)


@shared_task(name=OLD + "tell_privately", **RETRIES)
def tell_privately(workspace_id: str, channel: str, slack_user_id: str, text: str) -> str:
    workspace = SlackWorkspace.objects.filter(pk=workspace_id).first()
    if workspace is None or not channel:
        return "nowhere to tell"
    try:
        messages.tell(workspace, channel, slack_user_id, text)
    except SlackRefused as error:
        outcomes.token_refused(workspace, str(error))
        return _refused("tell_privately", error)
    return "told"


def _click(team_id, slack_user_id, approval_id, channel, message_ts):
    workspace = SlackWorkspace.objects.select_related("tenant").filter(team_id=team_id).first()
    return workspace, deciding.Click(team_id, slack_user_id, approval_id, channel, message_ts)


@shared_task(name=OLD + "decide_click", acks_late=True)
def decide_click(team_id, slack_user_id, approval_id, channel, message_ts, verb, reason="") -> str:
    """Decide once (a redelivered task finds it decided and tells so); the answer is sent by its own task."""
    workspace, click = _click(team_id, slack_user_id, approval_id, channel, message_ts)
    if workspace is None:
        return "no workspace"
    answer = deciding.decide(workspace, click, verb, reason)
    tell_privately.delay(str(workspace.pk), channel, slack_user_id, answer)
    return answer


@shared_task(name=OLD + "ask_reason")
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
