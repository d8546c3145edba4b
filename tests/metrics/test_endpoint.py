"""/metrics: served only with the bearer token; what a scrape holds."""

import pytest
import redis
from django.conf import settings as django_settings
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


def test_no_queue_lengths_on_another_broker(client, metrics_token, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    assert "walker_queue_length" not in families(scrape(client))
