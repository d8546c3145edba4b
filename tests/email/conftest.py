"""Email tests: the real SendGrid SDK against a fake SendGrid on 127.0.0.1, signed events with a key made here."""

import base64
import json
import time
from email.utils import parseaddr

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug import Response

from agents.models import AIAgent
from tests.hitl.conftest import ask, campaign, paid_ads, workflow  # noqa: F401  (the approval fixtures)

SEND_PATH = "/v3/mail/send"
INBOUND_AUTH = ("sendgrid", "inbound-secret")


@pytest.fixture(autouse=True)
def email_settings(settings, tmp_path):
    """Walker's provider backend (pytest-django swaps in Django's locmem one), a console folder per test."""
    settings.EMAIL_BACKEND = "channels_app.email.backend.ProviderEmailBackend"
    settings.EMAIL_CONSOLE_DIR = tmp_path / "mail"
    settings.SENDGRID_INBOUND_DOMAIN = "mail.walker.test"
    settings.SENDGRID_INBOUND_USER, settings.SENDGRID_INBOUND_PASSWORD = INBOUND_AUTH
    settings.SENDGRID_FROM_EMAIL = "walker@walker.test"
    return settings


class FakeSendGrid:
    """What the fake SendGrid received, and how it answers."""

    def __init__(self, server):
        self.server = server
        self.answers: list[Response] = []
        self._count = 0
        server.expect_request(SEND_PATH, method="POST").respond_with_handler(self._answer)

    def _answer(self, request):
        self._count += 1
        if self.answers:
            return self.answers.pop(0)
        return Response("", status=202, headers={"X-Message-Id": f"sg-{self._count}"})

    @property
    def mails(self) -> list[dict]:
        return [json.loads(request.get_data()) for request, _ in self.server.log]

    def fail_with(self, status: int, body: dict, times: int = 1):
        self.answers += [Response(json.dumps(body), status=status, content_type="application/json")] * times


@pytest.fixture
def sendgrid(settings, httpserver):
    settings.EMAIL_PROVIDER = "sendgrid"
    settings.SENDGRID_API_KEY = "SG.test-key"
    settings.SENDGRID_API_HOST = httpserver.url_for("").rstrip("/")
    return FakeSendGrid(httpserver)


@pytest.fixture
def event_key(settings):
    """An ECDSA key pair made for the test; Walker knows the public half as SendGrid's verification key."""
    private = ec.generate_private_key(ec.SECP256R1())
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = base64.b64encode(public_der).decode()
    return private


@pytest.fixture
def post_events(client, event_key):
    """POST events to the webhook, signed as SendGrid does (over timestamp + body)."""

    def post(events, *, timestamp=None, key=None, body=None, signed_body=None):
        body = body if body is not None else json.dumps(events)
        stamp = str(int(timestamp if timestamp is not None else time.time()))
        signed = signed_body if signed_body is not None else body
        signature = (key or event_key).sign((stamp + signed).encode(), ec.ECDSA(hashes.SHA256()))
        return client.post(
            "/channels/email/events",
            data=body,
            content_type="application/json",
            HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=base64.b64encode(signature).decode(),
            HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=stamp,
        )

    return post


def basic(user=INBOUND_AUTH[0], password=INBOUND_AUTH[1]) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def parse_fields(
    *,
    sender,
    to="assistant@mail.walker.test",
    subject="Hello",
    text="Hi",
    headers=None,
    spf="pass",
    dkim="none",
    envelope_from=None,
):
    """The form SendGrid Inbound Parse posts (its field names). SPF's verdict is for the envelope's sender
    (MAIL FROM, `envelope_from`), by default the From address itself."""
    raw_headers = {"From": sender, "To": to, "Subject": subject, "Message-ID": "<m1@client.test>"}
    raw_headers.update(headers or {})
    return {
        "from": sender,
        "to": to,
        "subject": subject,
        "text": text,
        "headers": "\n".join(f"{k}: {v}" for k, v in raw_headers.items() if v is not None) + "\n",
        "envelope": json.dumps({"to": [to], "from": parseaddr(sender)[1] if envelope_from is None else envelope_from}),
        "sender_ip": "192.0.2.25",
        "SPF": spf,
        "dkim": dkim,
        "charsets": json.dumps({"to": "UTF-8", "subject": "UTF-8", "text": "UTF-8"}),
    }


@pytest.fixture
def post_email(client, django_capture_on_commit_callbacks):
    """Post an inbound email as SendGrid would, running the after-commit work (answers, replies)."""

    def post(auth=None, files=None, **fields):
        data = parse_fields(**fields)
        data.update(files or {})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/channels/email/inbound", data=data, HTTP_AUTHORIZATION=auth or basic())

    return post


@pytest.fixture
def agents(db):
    return {agent.agent_type: agent for agent in AIAgent.objects.filter(is_system_agent=True)}
