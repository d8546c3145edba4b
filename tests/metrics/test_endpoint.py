"""/metrics: served only with the bearer token; what a scrape holds."""

from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from config import metrics as metrics_view
from tests.metrics.conftest import TOKEN

pytestmark = pytest.mark.django_db


def scrape(client, token=TOKEN, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/metrics", **headers)


def families(response) -> dict:
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def test_without_a_token_configured_the_path_does_not_exist(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    assert scrape(client, token="").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer ", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
    ids=["none", "empty", "bearer-empty", "wrong", "other-scheme", "longer", "no-scheme"],
)
def test_a_scrape_without_the_right_token_is_refused_and_reads_nothing(
    client, metrics_token, authorization, monkeypatch
):
    monkeypatch.setattr(metrics_view, "scrape", lambda accept: pytest.fail("scraped without the token"))
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"walker_" not in response.content


@pytest.mark.slow
def test_with_the_token_walker_and_django_metrics_are_served(client, metrics_token):
    client.get("/healthz")  # one request for django-prometheus to count
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"].startswith("max-age=0")
    found = families(response)
    for name in [
        "walker_messages_received",
        "walker_answer_seconds",
        "walker_approvals_waiting",
        "walker_approval_oldest_waiting_seconds",
        "django_http_requests_before_middlewares",
        "django_http_responses_total_by_status_view_method",
        "django_db_execute",
    ]:
        assert name in found, f"{name} missing from the scrape"
    waiting = {s.labels["risk_level"]: s.value for s in found["walker_approvals_waiting"].samples}
    assert waiting == {"low": 0, "medium": 0, "high": 0, "critical": 0}


def test_the_token_may_come_with_any_case_of_scheme(client, metrics_token):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200


def test_scraped_over_plain_http_when_https_is_enforced(client, metrics_token, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/").status_code == 301  # everything else goes to https
    assert scrape(client).status_code == 200


def test_openmetrics_when_the_scraper_asks_for_it(client, metrics_token):
    response = scrape(client, HTTP_ACCEPT="application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.rstrip().endswith(b"# EOF")


@pytest.mark.redis
def test_queue_lengths_come_from_the_redis_broker(client, metrics_token, settings):
    if not django_settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL); CI sets it")
    settings.CELERY_TASK_ROUTES = {"conversations.tasks.answer_message": {"queue": "metrics-test-answers"}}
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    broker.delete("metrics-test-answers")
    broker.rpush("metrics-test-answers", "a", "b", "c")
    try:
        lengths = {s.labels["queue"]: s.value for s in families(scrape(client))["walker_queue_length"].samples}
    finally:
        broker.delete("metrics-test-answers")
    assert lengths["metrics-test-answers"] == 3
    assert "notifications" in lengths  # the default queue is always reported


@pytest.fixture
def folder_broker(settings, tmp_path):
    """The embedded broker (kombu's filesystem transport) in a folder of the test's own."""
    options = {name: str(tmp_path / name) for name in ("queue", "processed", "control")}
    for folder in options.values():
        Path(folder).mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": options["queue"],
        "data_folder_out": options["queue"],
        "processed_folder": options["processed"],
        "control_folder": options["control"],
    }
    settings.CELERY_TASK_ROUTES = {"conversations.tasks.answer_message": {"queue": "metrics-test-answers"}}
    with Connection("filesystem://", transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as connection:
        yield connection, Path(options["queue"])


@pytest.mark.slow
def test_queue_lengths_come_from_the_broker_folder(client, metrics_token, folder_broker):
    """The messages kombu's filesystem transport would hand a worker, per queue; nothing half-written."""
    connection, folder = folder_broker
    answers, default = connection.SimpleQueue("metrics-test-answers"), connection.SimpleQueue("notifications")
    for n in range(3):
        answers.put({"n": n})
    default.put({"n": 0})
    answers.get(timeout=1).ack()  # taken by a worker: no longer waiting
    name = next(path.name for path in folder.iterdir())
    (folder / f".{name}.tmp").write_bytes(b"{")  # being written, to be renamed into place
    (folder / f"{name}.tmp").write_bytes(b"{")

    lengths = {s.labels["queue"]: s.value for s in families(scrape(client))["walker_queue_length"].samples}

    assert lengths == {"metrics-test-answers": 2, "notifications": 1}


def test_an_empty_broker_folder_reports_every_queue_at_zero(client, metrics_token, folder_broker):
    lengths = {s.labels["queue"]: s.value for s in families(scrape(client))["walker_queue_length"].samples}
    assert lengths == {"metrics-test-answers": 0, "notifications": 0}


def test_no_queue_lengths_on_a_broker_walker_cannot_read(client, metrics_token, settings):
    settings.CELERY_BROKER_URL = "amqp://guest@127.0.0.1:5672//"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert "walker_queue_length" not in families(scrape(client))
