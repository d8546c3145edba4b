"""Which pages may open a socket: scheme, host and port of the Origin, as Django's CSRF check compares them
(issue 29: the port was not compared)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.config.test_settings_shapes import run_python

pytestmark = pytest.mark.django_db


def opens(origin: str | None, host="localhost:8000", **headers) -> bool:
    """Whether the handshake is accepted (an anonymous chat socket is accepted, then closed with 4401)."""
    sent = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin is not None else [])
    sent += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]

    async def connect():
        communicator = WebsocketCommunicator(application, "/ws/chat/", headers=sent)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return async_to_sync(connect)()


@pytest.fixture
def trusted(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://walker.example.com"]
    settings.CHAT_ALLOWED_ORIGINS = ["https://acme.com", "https://*.shop.test", "http://127.0.0.1:3000"]


def test_the_sites_own_origin_is_the_host_it_was_opened_on_with_its_port_and_scheme(trusted):
    assert opens("http://localhost:8000")
    assert not opens("http://localhost:3000")  # another site on the same host
    assert not opens("http://localhost")
    assert not opens("https://localhost:8000")  # the socket came in over plain http
    assert opens("http://localhost", host="localhost")
    assert not opens("http://localhost:8000", host="elsewhere.test:8000")  # not one of ALLOWED_HOSTS


def test_behind_a_tls_proxy_the_own_origin_is_https(trusted, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert opens("https://localhost:8000", x_forwarded_proto="https")
    assert not opens("http://localhost:8000", x_forwarded_proto="https")
    assert opens("http://localhost:8000")


def test_trusted_and_embedding_origins_match_with_their_ports(trusted):
    assert opens("https://walker.example.com") and opens("https://walker.example.com:443")
    assert not opens("https://walker.example.com:8443") and not opens("http://walker.example.com")
    assert opens("https://acme.com") and not opens("https://acme.com:444") and not opens("http://acme.com")
    assert opens("https://a.shop.test") and opens("https://shop.test") and not opens("https://a.shop.test:8443")
    assert opens("http://127.0.0.1:3000") and not opens("http://127.0.0.1:3001")
    assert not opens("https://evil.test") and not opens("https://acme.com.evil.test")


def test_no_origin_is_a_non_browser_client_and_a_null_or_odd_one_is_refused(trusted):
    assert opens(None)
    assert not opens("null") and not opens("file://") and not opens("http://localhost:99999")


@pytest.mark.slow  # starts a process: 1.3 s alone, 10.8 s once in CI's services run beside the suite's processes
def test_an_embedding_site_without_its_scheme_stops_the_process_at_start():
    result = run_python(["manage.py", "check"], CHAT_ALLOWED_ORIGINS="https://acme.com,shop.test")
    assert result.returncode != 0 and "CHAT_ALLOWED_ORIGINS are origins with their scheme" in result.stderr
    assert "'shop.test'" in result.stderr
