"""Fixtures of the warehouse tests: a fake BigQuery on 127.0.0.1 that Walker's settings point at, a service
account key of a freshly made private key, destinations."""

import functools
import json
import uuid
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from analytics.events import record
from analytics.models import ConversationMetrics, HITLAnalytics
from tests.warehouse.fake_bigquery import FakeBigQuery
from warehouse.models import WarehouseDestination


@functools.cache
def _private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def service_account_key(email="walker-export@acme-data.iam.gserviceaccount.com", **overrides) -> str:
    """A service account's JSON key as Google gives it (the token address is Walker's setting, not this one's)."""
    key = {
        "type": "service_account",
        "project_id": "acme-data",
        "private_key_id": "0123456789abcdef",
        "private_key": _private_key(),
        "client_email": email,
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps({**key, **overrides})


@pytest.fixture
def bigquery_fake(settings):
    fake = FakeBigQuery().start()
    settings.WAREHOUSE_BIGQUERY_API_ENDPOINT = fake.url
    settings.WAREHOUSE_TOKEN_URI = fake.token_url
    settings.WAREHOUSE_LAG_SECONDS = 0
    settings.WAREHOUSE_RETRY_INITIAL_SECONDS = 0.01
    settings.WAREHOUSE_RETRY_SECONDS = 2.0
    settings.WAREHOUSE_TIMEOUT = 5.0
    settings.WAREHOUSE_JOB_WAIT_SECONDS = 0.2  # a job the fake holds RUNNING is left for the next run
    yield fake
    fake.stop()


@pytest.fixture
def destination(db):
    """A destination: of `tenant`, or the installation's (tenant=None)."""

    def make(tenant=None, project="acme-data", dataset="walker", **fields) -> WarehouseDestination:
        return WarehouseDestination.objects.create(
            tenant=tenant, project=project, dataset_name=dataset, service_account_key=service_account_key(), **fields
        )

    return make


def events(tenant, count: int, **metadata) -> list:
    """`count` platform events of the tenant, in order."""
    return [record("message_received", tenant=tenant, channel="chat", **metadata) for _ in range(count)]


def metrics(tenant, **fields) -> ConversationMetrics:
    fields.setdefault("started_at", timezone.now())
    return ConversationMetrics.objects.create(tenant=tenant, conversation_id=uuid.uuid4(), channel="chat", **fields)


def approvals_day(tenant, day: date, **fields) -> HITLAnalytics:
    return HITLAnalytics.objects.create(tenant=tenant, period_type="day", period_start=day, **fields)


def sent_ids(fake, table="platform_events", dataset="walker", key="event_id") -> list[str]:
    return [row[key] for row in fake.rows("acme-data", dataset, table)]
