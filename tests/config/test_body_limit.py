"""Request bodies above REQUEST_BODY_MAX_BYTES are answered 413 before Django reads them (issue 29): through the
ASGI application, and through a real daphne process on 127.0.0.1."""

import asyncio
import json
import re
import socket

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured

from config.asgi import application
from config.env import env_bytes
from tests.config.test_settings_shapes import PRODUCTION, run_python
from tests.daphne import running_daphne

CAP = 64 * 1024
PIECE = 16 * 1024


def scope(path="/healthz", method="POST", headers=()):
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "client": ["127.0.0.1", 5000],
        "server": ["testserver", 80], "headers": [(b"host", b"testserver"), *headers],
    }  # fmt: skip


def call(request_scope, pieces: int, piece=PIECE):
    """Run the ASGI application on a body of `pieces` messages; returns (status, body, messages it read)."""
    read, sent = [], []
    queue = [{"type": "http.request", "body": b"a" * piece, "more_body": n < pieces - 1} for n in range(pieces)]

    async def receive():
        if len(read) == len(queue):
            await asyncio.sleep(60)  # the client waits for the answer (Django cancels this once it has answered)
        read.append(queue[len(read)])
        return read[-1]

    async def send(message):
        sent.append(message)

    async_to_sync(application)(request_scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, len(read)


@pytest.fixture
def small_cap(settings):
    settings.REQUEST_BODY_MAX_BYTES = CAP


def test_a_declared_length_over_the_cap_is_refused_without_reading_the_body(small_cap):
    status, body, read = call(scope(headers=[(b"content-length", str(CAP + 1).encode())]), pieces=5)
    assert status == 413 and read == 0
    assert json.loads(body) == {"code": "too_large", "detail": f"The request body is larger than {CAP} bytes."}


def test_a_chunked_body_is_read_only_until_it_passes_the_cap(small_cap):
    status, body, read = call(scope(headers=[(b"transfer-encoding", b"chunked")]), pieces=1000)
    assert status == 413 and json.loads(body)["code"] == "too_large"
    assert read == CAP // PIECE + 1  # the piece that went past the cap, and no further


@pytest.mark.django_db
def test_a_body_within_the_cap_reaches_django(small_cap):
    status, body, read = call(scope(headers=[(b"content-length", str(CAP).encode())], method="GET"), CAP // PIECE)
    assert (status, json.loads(body), read) == (200, {"status": "ok"}, CAP // PIECE)
    status, _, _ = call(scope(headers=[(b"transfer-encoding", b"chunked")], method="GET"), CAP // PIECE)
    assert status == 200


@pytest.mark.slow
def test_the_default_cap_takes_sendgrids_largest_inbound_post_and_is_set_like_nginx(monkeypatch):
    result = run_python(["-c", SHOW_CAP], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) >= 30_000_000 + 1024**2  # a 30 MB message, with the form around it
    monkeypatch.setenv("BODY", "40m")
    assert env_bytes("BODY", 1) == 40 * 1024**2
    monkeypatch.setenv("BODY", "forty")
    with pytest.raises(ImproperlyConfigured, match="BODY must be a size in bytes"):
        env_bytes("BODY", 1)


SHOW_CAP = "from django.conf import settings; print(settings.REQUEST_BODY_MAX_BYTES)"


# --- a real daphne ----------------------------------------------------------------------------------------------


@pytest.fixture
def daphne(tmp_path):
    """daphne with a 3 MiB cap; yields its port."""
    with running_daphne(tmp_path / "daphne.log", REQUEST_BODY_MAX_BYTES="3m") as (_, port):
        yield port


def post(port, path, size, *, chunked) -> tuple[int, bytes]:
    """POST `size` bytes as a form; returns the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        connection.sendall(f"{head}{framing}\r\n\r\n".encode())
        piece = b"a" * 65536
        for start in range(0, size, len(piece)):
            part = piece[: min(len(piece), size - start)]
            connection.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part)
        if chunked:
            connection.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
        while len(body) < length:
            body += connection.recv(65536)
    return int(head.split()[1]), body


@pytest.mark.slow
@pytest.mark.processes
def test_daphne_answers_413_for_bodies_over_the_cap_and_passes_smaller_ones_to_django(daphne):
    for path in ("/healthz", "/accounts/login/"):
        for chunked in (False, True):
            status, body = post(daphne, path, 8 * 1024**2, chunked=chunked)
            assert (status, json.loads(body)["code"]) == (413, "too_large"), (path, chunked)
    for chunked in (False, True):
        status, _ = post(daphne, "/accounts/login/", 1024, chunked=chunked)
        assert status == 403  # Django's CSRF check: the body reached Django
