import pytest
from asgiref.sync import async_to_sync

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
    monkeypatch.setitem(celery_app.conf, "broker_transport", None)  # the embedded default names its own


@pytest.mark.slow
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


# The kubelet probes a pod by its IP and over plain HTTP; production's ALLOWED_HOSTS names only the public host.
POD_HOST = "10.42.3.17:8000"


@pytest.fixture
def strict_production_hosts(settings):
    settings.ALLOWED_HOSTS = ["walker.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_the_pod_ip_over_plain_http(client, strict_production_hosts, path):
    response = client.get(path, HTTP_HOST=POD_HOST)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_every_other_path_keeps_the_host_check_and_the_https_redirect(client, strict_production_hosts):
    assert client.get("/accounts/login/", HTTP_HOST=POD_HOST).status_code == 400
    redirect = client.get("/accounts/login/", HTTP_HOST="walker.example.com")
    assert redirect.status_code == 301
    assert redirect["Location"] == "https://walker.example.com/accounts/login/"


def test_a_probe_path_with_more_after_it_is_not_a_probe(client, strict_production_hosts):
    assert client.get("/healthz/extra", HTTP_HOST=POD_HOST).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_the_pod_ip_through_daphnes_asgi_application(strict_production_hosts, path):
    """The async middleware chain daphne runs, not the test client's sync one."""
    from channels.testing import HttpCommunicator

    from config.asgi import application

    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", POD_HOST.encode())])
    response = async_to_sync(communicator.get_response)()
    assert response["status"] == 200, response["body"]
    login = HttpCommunicator(application, "GET", "/accounts/login/", headers=[(b"host", POD_HOST.encode())])
    assert async_to_sync(login.get_response)()["status"] == 400
