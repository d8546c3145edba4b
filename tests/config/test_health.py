import pytest

from config.celery import app as celery_app

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_database_layer_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "channel_layer": "ok", "celery_broker": "ok"},
    }


@pytest.fixture
def redis_stopped(settings, monkeypatch):
    """Point the channel layer and the Celery broker at a closed port, as if Redis were down."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [CLOSED_PORT_REDIS]}}
    }
    monkeypatch.setitem(celery_app.conf, "broker_url", CLOSED_PORT_REDIS)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})


@pytest.mark.django_db
def test_readyz_names_what_failed_when_redis_is_down(client, redis_stopped):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["channel_layer", "celery_broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"].startswith("error:")
    assert body["checks"]["celery_broker"].startswith("error:")
