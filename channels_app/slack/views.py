"""Slack's door: `POST /slack/interactions` (button clicks and the rejection modal) and the page that links a
Slack user to the Walker person signed in.

An interaction is verified (`verify`) before anything in it is read for action, acknowledged at once, and decided by
a worker (`tasks`): Slack waits 3 seconds, and the Web API is never called inside them.
"""

import json
import logging
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from kombu.exceptions import OperationalError

from channels_app.slack import blocks, linking, tasks
from channels_app.slack.verify import Refused, verify
from core.commit import after_commit
from hitl.links import ExpiredLink, ForgedLink

logger = logging.getLogger(__name__)


class Unreadable(Exception):
    """Signed by Slack, but not an interaction Walker sent: nothing is decided."""


@csrf_exempt
@require_POST
def interactions(request):
    try:
        verified = verify(
            request.body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
        )
    except Refused as refused:
        logger.warning("slack_interaction_refused", extra={"reason": refused.reason, "status": refused.status})
        return HttpResponse(status=refused.status)
    try:
        return _acknowledge(verified.workspace.team_id, verified.payload)
    except Unreadable as error:
        logger.warning("slack_interaction_unreadable", extra={"reason": str(error)})
        return HttpResponse(status=400)
    except (
        OperationalError,
        OSError,
    ) as error:  # the broker is down: Slack tells the clicker it failed, and nothing was decided
        logger.error("slack_interaction_not_queued", extra={"error": type(error).__name__})
        return HttpResponse(status=503)


def _text(container: dict, key: str, absent: str | None = None) -> str:
    """`container[key]`, a string; `absent` when it is missing or null, if the field may be."""
    value = container.get(key) if isinstance(container, dict) else None
    if value is None and absent is not None:
        return absent
    if not isinstance(value, str):
        raise Unreadable(f"{key} missing or not a string")
    return value


def _approval_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise Unreadable("not an approval id") from None


def _acknowledge(team_id: str, payload: dict) -> HttpResponse:
    kind = payload.get("type")
    user = _text(payload.get("user"), "id")
    if kind == "block_actions":
        actions = payload.get("actions")
        if not (isinstance(actions, list) and actions and isinstance(actions[0], dict)):
            raise Unreadable("no action")
        action_id = actions[0].get("action_id")
        if action_id == blocks.DETAILS:
            return HttpResponse(status=200)  # a link button: Slack opened the page
        container = payload.get("container") if isinstance(payload.get("container"), dict) else {}
        where = (_text(container, "channel_id", ""), _text(container, "message_ts", ""))
        approval_id = _approval_id(actions[0].get("value"))
        if action_id == blocks.APPROVE:
            after_commit(tasks.decide_click, team_id, user, approval_id, *where, "approve")
        elif action_id == blocks.REJECT:
            trigger = _text(payload, "trigger_id")
            after_commit(tasks.ask_reason, team_id, user, approval_id, *where, trigger)
        else:
            raise Unreadable("unknown action")
        return HttpResponse(status=200)
    if kind == "view_submission":
        view = payload.get("view") if isinstance(payload.get("view"), dict) else {}
        if view.get("callback_id") != blocks.REJECT_MODAL:
            raise Unreadable("unknown view")
        try:
            meta = json.loads(_text(view, "private_metadata"))
            approval_id, where = _approval_id(meta["approval"]), (str(meta["channel"]), str(meta["ts"]))
            reason = view["state"]["values"][blocks.REASON_BLOCK][blocks.REASON_INPUT].get("value") or ""
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Unreadable("not the rejection form Walker sent") from None
        if not reason.strip():
            errors = {blocks.REASON_BLOCK: _("Say why you reject it.")}
            return JsonResponse({"response_action": "errors", "errors": errors})
        after_commit(tasks.decide_click, team_id, user, approval_id, *where, "reject", reason.strip())
        return HttpResponse(status=200)  # an empty answer closes the modal
    raise Unreadable(f"unhandled interaction {kind!r}")


def _page(request, status, title, message):
    return render(request, "hitl/one_click_result.html", {"title": title, "message": message}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_account(request, token):
    """Signed in (the tenant's MFA policy applies, as on every page), the person ties the Slack user the link
    names to themselves; only a person of the workspace's tenant may."""
    try:
        workspace, slack_user_id = linking.read(token)
    except ExpiredLink:
        message = _("This link has expired. Click a button in Slack again for a new one.")
        return _page(request, 410, _("Link expired"), message)
    except ForgedLink:
        return _page(request, 400, _("Invalid link"), _("This link is not valid; nothing changed."))
    if request.user.tenant_id != workspace.tenant_id:
        message = _("This Slack workspace belongs to another organisation; nothing changed.")
        return _page(request, 403, _("Not your workspace"), message)
    context = {"workspace": workspace, "slack_user_id": slack_user_id}
    if request.method != "POST":
        return render(request, "slack/link.html", context)
    linking.link(workspace, slack_user_id, request.user)
    message = _("Your Slack account is linked to Walker. Go back to Slack and click the button again.")
    return _page(request, 200, _("Slack account linked"), message)
