"""Every label value a scrape shows comes from a bounded vocabulary, and no tenant, person or personal data is in it."""

import re

import pytest
from celery import states
from django.conf import settings
from django.test import TestCase
from prometheus_client.parser import text_string_to_metric_families

from agents.actions import ActionType
from agents.engines import ENGINES
from channels_app.email.status import LOG_STATUS
from conversations.models import Channel
from conversations.normalized import InboundMessage
from core.metrics import queue_names
from hitl.models import RiskLevel
from tests.fixtures.whatsapp import inbound_form, post_signed, signature_for
from tests.metrics.conftest import TOKEN
from tests.pipeline import exchange

pytestmark = pytest.mark.django_db

BOUNDED = {
    "channel": set(Channel.values),
    "engine": {*ENGINES, "other"},
    "risk_level": set(RiskLevel.values),
    "action_type": {*ActionType.values, "tenant_defined"},
    "consumer": {"chat", "console"},
    "webhook": {"twilio", "sendgrid_events", "sendgrid_inbound"},
    "reason": {"unsigned", "bad_signature", "not_configured", "stale", "replayed", "unauthorized"},
    "event": set(LOG_STATUS),
    "stage": {"refused", "blocked", "gave_up", "reported"},
    "state": set(states.ALL_STATES) | {"unknown"},
}
NUMBER = re.compile(r"^(\+Inf|[0-9.e+-]+)$")


def bounded(label: str) -> set[str]:
    if label == "queue":
        return {*queue_names(), "other"}
    if label == "task":
        return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    return BOUNDED[label]


def test_after_traffic_every_walker_label_is_bounded_and_nothing_personal_is_scraped(
    client, twilio, number, member_phone, colleague, tenant, engine, metrics_token
):
    form = inbound_form(member_phone.phone_number, "My email is pat@example.com, call +14155550105")
    post_signed(client, "/channels/whatsapp/webhook", form)
    post_signed(client, "/channels/whatsapp/webhook", form, signature=signature_for("/x", form, token="forged"))
    engine.error = RuntimeError(f"failed for {colleague.email}")
    exchange(InboundMessage(channel="api", text="hello", user_id=colleague.pk))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get("/api/me/")  # a request for django-prometheus, by an anonymous caller

    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    walker = [f for f in text_string_to_metric_families(text) if f.name.startswith("walker_")]
    assert {f.name for f in walker} >= {"walker_messages_received", "walker_engine_errors", "walker_answer_seconds"}
    for family in walker:
        for sample in family.samples:
            for label, value in sample.labels.items():
                if label == "le":
                    assert NUMBER.match(value), (sample.name, value)
                else:
                    assert value in bounded(label), f"{sample.name}{{{label}={value!r}}} is not a bounded value"
    for secret in [str(tenant.pk), str(colleague.pk), colleague.email, member_phone.phone_number, "pat@example.com"]:
        assert secret not in text
        assert secret.lstrip("+") not in text
