"""Each decision on a request is POSTed, signed, to the callback URL the agent gave: retried with backoff, the same
Idempotency-Key (the decision's id) every time, never to an address Walker may not send to (issue 49, point 1)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from werkzeug import Response

from agents.executors import sign
from config.celery import app as celery_app
from hitl.callbacks import ATTEMPTS, LOST_AFTER, RetryLater, deliver, requeue_lost
from hitl.models import DecisionCallback, HITLApprovalHistory
from hitl.services.outside import args_sha256
from hitl.services.sla import process_due
from tests.approval_requests.conftest import URL, ask
from tests.concurrency import at_once

SECRET = "whsec-callbacks-7c1e9a6d2e5b"
PATH = "/agent/decisions"


@pytest.fixture
def signing(tenant, loopback_receivers):
    tenant.action_webhook_secret = SECRET
    tenant.save()
    return tenant


@pytest.fixture
def filed(agent, signing, httpserver):
    response = agent.post(URL, ask(callback_url=httpserver.url_for(PATH)), format="json")
    assert response.status_code == 202, response.content[:300]
    return response.json()


def decide(api, filed, verb, body=None):
    response = api.post(f"/api/hitl/approvals/{filed['id']}/{verb}/", body or {}, format="json")
    assert response.status_code == 200, response.content[:300]


def received(httpserver) -> list:
    return [request for request, _ in httpserver.log]


def pending(filed) -> DecisionCallback:
    return DecisionCallback.objects.get(request__approval_id=filed["id"], status=DecisionCallback.Status.PENDING)


def test_an_edit_is_posted_signed_with_the_decision_id_as_idempotency_key(
    approver_api, filed, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        decide(approver_api, filed, "approve", {"edits": {"action_data": {"amount": "500.00"}}, "notes": "500 max"})
    [request] = received(httpserver)
    body = request.get_data()
    assert request.headers["X-Walker-Signature"] == sign(SECRET, request.headers["X-Walker-Timestamp"], body)
    posted = json.loads(body)
    decision = HITLApprovalHistory.objects.get(approval_id=filed["id"], event_type="approved")
    assert request.headers["Idempotency-Key"] == posted["decision_id"] == str(decision.pk)
    assert posted["id"] == filed["id"] and posted["status"] == "approved"
    assert posted["decision"]["type"] == "edit" and posted["decision"]["args"]["amount"] == "500.00"
    assert posted["decision"]["args_sha256"] == args_sha256(posted["decision"]["args"])
    callback = DecisionCallback.objects.get(decision_id=decision.pk)
    assert (callback.status, callback.attempts, callback.answered) == ("delivered", 1, 200)


def test_a_rejection_carries_the_reason(approver_api, filed, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        decide(approver_api, filed, "reject", {"reason": "Not this week"})
    posted = json.loads(received(httpserver)[0].get_data())
    assert posted["decision"]["type"] == "reject" and posted["decision"]["note"] == "Not this week"


def test_expiry_is_posted_as_a_rejection(filed, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request(PATH, method="POST").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        process_due(now=timezone.now() + timedelta(days=31))
    posted = json.loads(received(httpserver)[0].get_data())
    assert posted["status"] == "rejected" and posted["decision"]["type"] == "reject"


def test_a_receiver_that_fails_is_asked_again_with_the_same_key_and_a_fresh_signature(
    approver_api, filed, httpserver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the task is run by hand below
        decide(approver_api, filed, "approve")
    callback = pending(filed)
    httpserver.expect_ordered_request(PATH).respond_with_response(Response("busy", status=503))
    httpserver.expect_ordered_request(PATH).respond_with_data("ok")
    with pytest.raises(RetryLater, match="503") as later:
        deliver(str(callback.pk))
    callback.refresh_from_db()
    assert (callback.status, callback.attempts, callback.answered) == ("pending", 1, 503)
    assert later.value.seconds == 30 and abs((callback.due_at - timezone.now()).total_seconds() - 30) < 5
    assert deliver(str(callback.pk)) == "delivered"
    first, second = received(httpserver)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == str(callback.decision_id)
    assert first.get_data() == second.get_data()
    assert deliver(str(callback.pk)) == "delivered" and len(received(httpserver)) == 2  # a duplicated task: nothing


def test_a_refusal_fails_it_for_good_and_out_of_retries_fails_it_with_the_last_answer(
    approver_api, filed, httpserver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(approver_api, filed, "respond", {"note": "Which campaign?"})
    callback = pending(filed)
    httpserver.expect_request(PATH).respond_with_response(Response("no", status=400))
    assert deliver(str(callback.pk)) == "failed"
    callback.refresh_from_db()
    assert callback.last_error == "The callback URL answered HTTP 400" and callback.answered == 400


def test_the_last_attempt_fails_it_with_the_last_answer_however_often_its_task_was_sent(
    approver_api, filed, httpserver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(approver_api, filed, "approve")
    callback = pending(filed)
    httpserver.expect_request(PATH).respond_with_response(Response("busy", status=503))
    delays = []
    for _ in range(ATTEMPTS - 1):
        with pytest.raises(RetryLater) as later:
            deliver(str(callback.pk))
        delays.append(later.value.seconds)
    assert delays == [30, 60, 120, 240, 480, 960, 1920]
    assert deliver(str(callback.pk)) == "failed"  # the eighth: counted on the row, not by the task
    callback.refresh_from_db()
    assert (callback.attempts, callback.last_error) == (ATTEMPTS, "The callback URL answered HTTP 503")
    assert deliver(str(callback.pk)) == "failed" and len(received(httpserver)) == ATTEMPTS


def test_the_task_asks_again_after_the_delay_the_row_says(approver_api, filed, httpserver, monkeypatch):
    monkeypatch.setattr("hitl.callbacks.after_commit", lambda *task, **options: None)
    decide(approver_api, filed, "approve")
    callback = pending(filed)
    httpserver.expect_ordered_request(PATH).respond_with_response(Response("slow down", status=429))
    httpserver.expect_ordered_request(PATH).respond_with_data("ok")
    retried = []
    task = celery_app.tasks["hitl.tasks.send_decision_callback"]
    monkeypatch.setattr(task, "retry", lambda **options: retried.append(options) or RuntimeError("retried"))
    with pytest.raises(RuntimeError, match="retried"):
        task(str(callback.pk))
    assert retried == [{"countdown": 30}]
    assert task(str(callback.pk)) == "delivered"


def test_a_callback_whose_task_was_lost_is_sent_again_once(
    approver_api, filed, httpserver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        decide(approver_api, filed, "approve")
    callback = pending(filed)
    httpserver.expect_request(PATH).respond_with_data("ok")
    assert requeue_lost() == 0  # not overdue yet
    later = timezone.now() + LOST_AFTER + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_lost(now=later) == 1
    callback.refresh_from_db()
    assert callback.status == "delivered" and len(received(httpserver)) == 1
    assert requeue_lost(now=later + LOST_AFTER * 2) == 0


def test_no_callback_url_no_callback(agent, approver_api, signing, django_capture_on_commit_callbacks):
    filed = agent.post(URL, ask(), format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        decide(approver_api, filed, "approve")
    assert not DecisionCallback.objects.exists()


@pytest.mark.parametrize(
    "url, words",
    [
        ("https://10.0.0.5/hook", "10.0.0.5 is not a public address"),
        ("https://localhost/hook", "localhost is not a public address"),
        ("http://agent.example.com/hook", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
    ],
)
def test_a_callback_walker_may_not_send_to_is_refused_when_asked(agent, signing, settings, url, words):
    settings.OUTBOUND_ALLOW_HTTP = False
    response = agent.post(URL, ask(callback_url=url), format="json")
    assert response.status_code == 400 and words in response.json()["callback_url"][0]


def test_a_callback_needs_the_tenants_signing_secret(agent, tenant):
    response = agent.post(URL, ask(callback_url="https://agent.example.com/hook"), format="json")
    assert response.status_code == 400 and "secret" in response.json()["callback_url"][0]


def test_an_address_that_resolves_to_loopback_fails_at_send_time(
    approver_api, filed, httpserver, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        decide(approver_api, filed, "approve")
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # 127.0.0.1 is no longer allowed
    callback = pending(filed)
    assert deliver(str(callback.pk)) == "failed" and received(httpserver) == []
    callback.refresh_from_db()
    assert "may not send" in callback.last_error


def test_two_deliveries_at_once_post_once(postgres_only, approver_api, filed, httpserver, monkeypatch):
    # Committed at once here: sent by hand below, twice at once.
    monkeypatch.setattr("hitl.callbacks.after_commit", lambda *task, **options: None)
    decide(approver_api, filed, "approve")
    callback = pending(filed)
    httpserver.expect_request(PATH).respond_with_data("ok")
    assert sorted(at_once(lambda: deliver(str(callback.pk)), lambda: deliver(str(callback.pk)))) == [
        "delivered",
        "delivered",
    ]
    assert len(received(httpserver)) == 1
