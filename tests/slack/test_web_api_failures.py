"""Slack's Web API is called from Celery only, never inside an interaction's acknowledgement, and retried with
backoff while Slack is unavailable; a refusal for good is not retried."""

import pytest

from channels_app.slack import tasks, views
from channels_app.slack.client import SlackUnavailable
from channels_app.slack.models import SlackApprovalMessage
from config.celery import app as celery_app
from hitl.models import HITLDecision
from tests.slack.conftest import button


def test_the_tasks_retry_through_celery_with_backoff():
    for task in (tasks.post_approval, tasks.refresh_message, tasks.tell_privately):
        assert task.autoretry_for == (SlackUnavailable,)
        assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter, task.max_retries) == (30, 1800, False, 5)


@pytest.fixture
def no_propagation(monkeypatch):
    """As a worker: a task out of retries fails there, not in the caller."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


@pytest.mark.parametrize("status, error", [(500, "internal_error"), (429, "ratelimited"), (200, "service_unavailable")])
def test_a_post_is_retried_until_slack_takes_it(posted, slack_api, no_propagation, status, error):
    slack_api.fail("chat.postMessage", 2, status=status, error=error)
    approval = posted()
    assert len(slack_api.called("chat.postMessage")) == 3  # two failures, then once for good
    assert SlackApprovalMessage.objects.get(approval=approval).ts == "1700000000.000001"


def test_a_post_slack_never_takes_is_tried_six_times(posted, slack_api, no_propagation):
    slack_api.fail("chat.postMessage", 10)
    approval = posted()
    assert len(slack_api.called("chat.postMessage")) == 6  # the first try and five retries
    assert SlackApprovalMessage.objects.get(approval=approval).ts == ""  # failed (test_failures_recorded.py)


def test_an_unreachable_slack_is_retried(posted, settings, slack_api, no_propagation):
    settings.SLACK_API_BASE_URL = "http://127.0.0.1:9/api/"  # nothing listens there
    approval = posted()
    assert SlackApprovalMessage.objects.get(approval=approval).status == SlackApprovalMessage.Status.FAILED
    settings.SLACK_API_BASE_URL = slack_api.base_url
    assert tasks.post_approval(str(approval.pk)) == "posted"


def test_a_refusal_for_good_is_not_retried(posted, slack_api):
    slack_api.fail("chat.postMessage", 1, status=200, error="channel_not_found")
    posted()
    assert len(slack_api.called("chat.postMessage")) == 1


def test_a_failed_update_is_retried_until_the_message_shows_the_outcome(
    posted, approver, slack_api, no_propagation, django_capture_on_commit_callbacks
):
    from hitl.services.decisions import approve

    approval = posted()
    slack_api.fail("chat.update", 2, status=503)
    with django_capture_on_commit_callbacks(execute=True):
        approve(approval.pk, actor=approver)
    assert "Approved by" in str(slack_api.called("chat.update")[-1]["blocks"])


def test_the_acknowledgement_calls_no_web_api_and_queues_the_decision(
    posted, linked, client, slack_api, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.slack.conftest import form, signed_headers

    approval = posted()
    before = len(slack_api.calls)
    queued = []
    monkeypatch.setattr(views, "after_commit", lambda task, *args: queued.append((task.name, args)))
    body = form(button(approval))
    response = client.post(
        "/slack/interactions", data=body, content_type="application/x-www-form-urlencoded", **signed_headers(body)
    )
    assert response.status_code == 200
    assert len(slack_api.calls) == before  # nothing sent to Slack while it waits
    assert not HITLDecision.objects.filter(approval=approval).exists()  # decided by the worker, not here
    assert queued == [
        (
            "hitl.slack.tasks.decide_click",
            ("T0WALKER", "U0APPROVER", str(approval.pk), "C0APPROVALS", "1700000000.000001", "approve"),
        )
    ]


def test_a_click_that_cannot_be_queued_is_a_503_and_decides_nothing(posted, linked, client, slack_api, monkeypatch):
    from kombu.exceptions import OperationalError

    from tests.slack.conftest import form, signed_headers

    approval = posted()

    def broker_down(task, *args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views, "after_commit", broker_down)
    body = form(button(approval))
    response = client.post(
        "/slack/interactions", data=body, content_type="application/x-www-form-urlencoded", **signed_headers(body)
    )
    assert response.status_code == 503
    approval.refresh_from_db()
    assert approval.is_pending
