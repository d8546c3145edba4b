"""WebhookExecutor against a local fake receiver: the signed request, and how each outcome is classified."""

import hashlib
import hmac
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.db import connection
from werkzeug import Response

from agents.executors import (
    ExecutionError,
    ExecutionRequest,
    ExecutionResult,
    RetryableExecutionError,
    WebhookExecutor,
    get_executor,
    sign,
)
from tenants.models import Tenant

SECRET = "whsec-5b7a4c1e9a6d2e5b"
APPROVAL_ID = "3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d"
PATH = "/walker/actions"
ACTION_DATA = {"campaign_id": "8d3f0c2e-5b7a-4c1e-9a6d-2e5b7a4c1e9a", "campaign_name": "Summer Sale"}


@pytest.fixture
def hooked(tenant, httpserver, loopback_receivers):
    """The tenant, set up to send its approved actions to the fake receiver."""
    tenant.action_webhook_url = httpserver.url_for(PATH)
    tenant.action_webhook_secret = SECRET
    tenant.save()
    return tenant


def _request(tenant):
    return ExecutionRequest(
        tenant=tenant,
        approval_id=APPROVAL_ID,
        reference="BR-123456",
        action_type="pause_campaign",
        action_data=ACTION_DATA,
        approved_at=datetime(2025, 6, 4, 12, 0, tzinfo=UTC),
    )


def _send(tenant):
    return WebhookExecutor().execute(_request(tenant))


def test_the_webhook_is_the_executor_when_configured(hooked):
    assert isinstance(get_executor(_request(hooked)), WebhookExecutor)


def test_sends_the_action_as_compact_sorted_json_with_a_verifiable_signature(hooked, httpserver):
    httpserver.expect_request(PATH, method="POST").respond_with_json({"ok": True})

    sent_after = int(time.time())
    _send(hooked)

    ((received, _),) = httpserver.log
    body = received.get_data()
    assert body == (
        b'{"action_data":{"campaign_id":"8d3f0c2e-5b7a-4c1e-9a6d-2e5b7a4c1e9a","campaign_name":"Summer Sale"},'
        b'"action_type":"pause_campaign","approval_id":"3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d",'
        b'"approved_at":"2025-06-04T12:00:00+00:00","reference":"BR-123456","tenant":"acme"}'
    )
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Idempotency-Key"] == APPROVAL_ID
    timestamp = received.headers["X-Walker-Timestamp"]
    assert sent_after <= int(timestamp) <= time.time()
    signature = received.headers["X-Walker-Signature"]
    assert hmac.compare_digest(signature, sign(SECRET, timestamp, body))
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert signature != sign("another-secret", timestamp, body)


def test_the_secret_is_stored_encrypted_and_signs_in_clear(hooked, httpserver):
    """Read back from the database, as the execution task reads its tenant (issue 29)."""
    with connection.cursor() as cursor:
        key = hooked.pk.hex if connection.vendor == "sqlite" else hooked.pk
        cursor.execute("SELECT action_webhook_secret FROM tenants_tenant WHERE id = %s", [key])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored and stored.startswith("gAAAAA")
    httpserver.expect_request(PATH, method="POST").respond_with_json({"ok": True})
    _send(Tenant.objects.get(pk=hooked.pk))
    ((received, _),) = httpserver.log
    timestamp, body = received.headers["X-Walker-Timestamp"], received.get_data()
    assert received.headers["X-Walker-Signature"] == sign(SECRET, timestamp, body)


def test_sign_accepts_the_body_as_text_or_bytes():
    assert sign(SECRET, 1749038400, '{"a":1}') == sign(SECRET, "1749038400", b'{"a":1}')


def test_a_retry_carries_the_same_idempotency_key(hooked, httpserver):
    httpserver.expect_oneshot_request(PATH).respond_with_data("", status=503)
    httpserver.expect_request(PATH).respond_with_data("done")
    with pytest.raises(RetryableExecutionError):
        _send(hooked)

    _send(hooked)

    keys = [request.headers["Idempotency-Key"] for request, _ in httpserver.log]
    assert keys == [APPROVAL_ID, APPROVAL_ID]


@pytest.mark.parametrize("status", [200, 201])
def test_a_2xx_answer_is_success(hooked, httpserver, status):
    httpserver.expect_request(PATH).respond_with_data('{"id":"ext-42"}', status=status)

    result = _send(hooked)

    assert replace(result, detail=str(result.detail)) == ExecutionResult(
        before={}, after={"status_code": status}, detail=f"Sent to 127.0.0.1: HTTP {status}"
    )  # what the receiver wrote back is not kept: tenants would read it


@pytest.mark.parametrize("status", [301, 400, 401, 404, 422])
def test_other_answers_are_permanent_failures(hooked, httpserver, status):
    httpserver.expect_request(PATH).respond_with_data("no such action", status=status)

    with pytest.raises(ExecutionError) as caught:
        _send(hooked)

    assert not isinstance(caught.value, RetryableExecutionError)
    assert f"HTTP {status}" in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_busy_or_failing_receivers_are_retryable(hooked, httpserver, status):
    httpserver.expect_request(PATH).respond_with_data("try later", status=status)

    with pytest.raises(RetryableExecutionError) as caught:
        _send(hooked)

    assert str(caught.value).startswith(f"127.0.0.1 answered HTTP {status}")
    assert SECRET not in str(caught.value)


@pytest.mark.slow
def test_a_slow_receiver_times_out_and_is_retryable(hooked, httpserver, settings):
    settings.ACTION_WEBHOOK_TIMEOUT = 1
    release, finished = threading.Event(), threading.Event()

    def slow(request):
        release.wait(2)
        finished.set()
        return Response("too late")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    try:
        with pytest.raises(RetryableExecutionError) as caught:
            _send(hooked)
    finally:
        release.set()  # let the (single-threaded) server go idle before the next test
        assert finished.wait(5)

    assert str(caught.value) == "127.0.0.1 did not answer within 1s"


def test_a_refused_connection_is_retryable(hooked):
    hooked.action_webhook_url = "http://127.0.0.1:9/"  # the discard port: nothing listens there

    with pytest.raises(RetryableExecutionError) as caught:
        _send(hooked)

    assert str(caught.value).startswith("Could not reach 127.0.0.1: ConnectError")
    assert SECRET not in str(caught.value)


def test_without_a_secret_nothing_is_sent(hooked, httpserver):
    hooked.action_webhook_secret = ""

    with pytest.raises(ExecutionError) as caught:
        _send(hooked)

    assert not isinstance(caught.value, RetryableExecutionError)
    assert "no signing secret" in str(caught.value)
    assert httpserver.log == []
