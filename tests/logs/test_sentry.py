"""Sentry, when SENTRY_DSN is set: an exception in a view and one in a task reach a fake Sentry on 127.0.0.1, tagged
with the request id, and no phone, email or card number is inside (config/sentry.py)."""

import gzip
import json

import pytest
import sentry_sdk
import structlog
from celery import shared_task
from django.test import Client

from config import sentry

EMAIL, PHONE, CARD = "pat.jones@example.com", "+1 415 555 2671", "4111111111111111"
WRITTEN = [EMAIL, PHONE, CARD, "4155552671", "pat.jones%40example.com", "4111+1111"]


@shared_task
def failing_task(contact):
    raise RuntimeError(f"could not reach {contact}")


class FakeSentry:
    """What Sentry's ingest endpoint received: the envelopes' items, decompressed and parsed."""

    def __init__(self, server):
        self.server = server
        server.expect_request("/api/1/envelope/", method="POST").respond_with_data(
            "{}", content_type="application/json"
        )

    @property
    def raw(self) -> str:
        bodies = []
        for request, _ in self.server.log:
            body = request.get_data()
            bodies.append(gzip.decompress(body) if request.headers.get("Content-Encoding") == "gzip" else body)
        return b"\n".join(bodies).decode()

    @property
    def events(self) -> list[dict]:
        items = [json.loads(line) for line in self.raw.splitlines() if line.startswith("{")]
        return [item for item in items if "exception" in item]


@pytest.fixture
def fake_sentry(httpserver):
    received = FakeSentry(httpserver)
    port = httpserver.port
    sentry.start(f"http://key@127.0.0.1:{port}/1", environment="test", traces_sample_rate=0.0)
    yield received
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # reports off again, as without SENTRY_DSN


def assert_nothing_personal(fake_sentry):
    text = fake_sentry.raw
    assert text  # something was sent
    for written in WRITTEN:
        assert written not in text


def test_an_exception_in_a_view_arrives_tagged_with_the_request_id_and_masked(fake_sentry, db):
    client = Client(raise_request_exception=False)
    response = client.get(f"/tests/fails/?card={CARD}&email={EMAIL}", HTTP_X_REQUEST_ID="req_01HV3X9K2M7QABCDEF")
    assert response.status_code == 500
    sentry_sdk.flush()
    (event,) = fake_sentry.events
    assert event["tags"]["request_id"] == "req_01HV3X9K2M7QABCDEF" == response["X-Request-ID"]
    assert event["exception"]["values"][-1]["type"] == "LookupError"
    assert event["exception"]["values"][-1]["value"] == "no account for [email] / [phone] ([card])"
    assert not event["request"].get("data") and "cookies" not in event["request"] and "user" not in event
    assert all("vars" not in frame for frame in event["exception"]["values"][-1]["stacktrace"]["frames"])
    assert_nothing_personal(fake_sentry)


@pytest.fixture
def urls(settings):
    settings.ROOT_URLCONF = "tests.logs.urls"


pytestmark = pytest.mark.usefixtures("urls")


def test_an_exception_in_a_task_arrives_tagged_with_the_request_id_that_queued_it_and_masked(fake_sentry, db):
    """The worker binds the request's id from the task's headers (test_every_channel.py); here the task runs where
    it is queued, in the context a worker gives it."""
    structlog.contextvars.bind_contextvars(request_id="req_01HV3X9K2M7QABCDEF", tenant_id="t-1")
    try:
        with pytest.raises(RuntimeError):
            failing_task.delay(f"{EMAIL} or {PHONE}")
    finally:
        structlog.contextvars.clear_contextvars()
    sentry_sdk.flush()
    (event,) = fake_sentry.events
    assert event["tags"]["request_id"] == "req_01HV3X9K2M7QABCDEF" and event["tags"]["tenant_id"] == "t-1"
    assert event["exception"]["values"][-1]["value"] == "could not reach [email] or [phone]"
    assert_nothing_personal(fake_sentry)


def test_what_identifies_a_person_is_never_collected(fake_sentry):
    assert not sentry_sdk.get_client().should_send_default_pii()
    assert sentry_sdk.get_client().options["include_local_variables"] is False


def test_without_a_dsn_nothing_is_started(settings):
    assert settings.SENTRY_DSN == "" and not sentry_sdk.get_client().is_active()
