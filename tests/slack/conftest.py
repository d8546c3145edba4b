"""A tenant with a Slack workspace, a workflow that posts to a channel, a fake Slack Web API on 127.0.0.1, and
interactions signed as Slack signs them."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest

from channels_app.slack import blocks
from channels_app.slack.models import SlackUserLink, SlackWorkspace
from tests.slack.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0WALKER"
CHANNEL = "C0APPROVALS"
APPROVER_SLACK_ID = "U0APPROVER"


@pytest.fixture
def slack_api(settings):
    fake = FakeSlack().start()
    settings.SLACK_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()


@pytest.fixture
def workspace(tenant):
    return SlackWorkspace.objects.create(
        tenant=tenant, team_id=TEAM, team_name="Acme", bot_token="xoxb-acme", signing_secret=SECRET
    )


@pytest.fixture
def on_slack(workflow, workspace, slack_api):
    """The tenant's requests are told on Slack, in CHANNEL."""
    return workflow(notification_channels=["slack"], slack_channel=CHANNEL, is_default=True)


@pytest.fixture
def posted(ask, on_slack, django_capture_on_commit_callbacks):
    """File a request and let its after-commit work run (the Slack post among it)."""

    def file(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return ask(**kwargs)

    return file


@pytest.fixture
def linked(workspace, approver):
    return SlackUserLink.objects.create(workspace=workspace, slack_user_id=APPROVER_SLACK_ID, user=approver)


def signed_headers(body: bytes, *, secret=SECRET, timestamp=None) -> dict:
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    signed = f"v0:{timestamp}:".encode() + body  # as Slack signs, over the bytes as sent
    signature = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp, "HTTP_X_SLACK_SIGNATURE": signature}


def form(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def button(approval, action_id=blocks.APPROVE, *, user=APPROVER_SLACK_ID, team=TEAM, ts="1700000000.000001") -> dict:
    return {
        "type": "block_actions",
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": ts},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "walker_buttons",
                "value": str(approval.pk),
                "action_ts": f"{time.time_ns() / 1e9:.6f}",  # every click differs, as Slack's do
            }
        ],
    }


def submission(approval, reason: str, *, user=APPROVER_SLACK_ID, ts="1700000000.000001") -> dict:
    metadata = json.dumps({"approval": str(approval.pk), "channel": CHANNEL, "ts": ts})
    values = {blocks.REASON_BLOCK: {blocks.REASON_INPUT: {"type": "plain_text_input", "value": reason}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "view": {"callback_id": blocks.REJECT_MODAL, "private_metadata": metadata, "state": {"values": values}},
    }


@pytest.fixture
def interact(client, django_capture_on_commit_callbacks):
    """POST a payload to /slack/interactions, signed unless `headers` say otherwise; the acknowledged work runs."""

    def post(payload: dict, *, headers=None, body=None):
        body = form(payload) if body is None else body
        headers = signed_headers(body) if headers is None else headers
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/slack/interactions", data=body, content_type="application/x-www-form-urlencoded", **headers
            )

    return post
