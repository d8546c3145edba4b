"""WhatsApp tests: a tenant with its number, signed webhooks, and Twilio's REST API faked on 127.0.0.1.

The real SDK runs: its HTTP client is pointed at pytest-httpserver instead of api.twilio.com,
and signatures are computed with the SDK's RequestValidator.
"""

import itertools
import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import TestCase
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug import Response

from channels_app.whatsapp import twilio_api
from channels_app.whatsapp.models import WhatsAppSender
from config.celery import app as celery_app
from tests.factories import PhoneFactory

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-auth-token-" + "x" * 16
TENANT_NUMBER = "+14155238886"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
_sids = itertools.count(1)


def new_sid(prefix="SM") -> str:
    return f"{prefix}{next(_sids):032x}"


def inbound_form(sender, body="hello", *, to=TENANT_NUMBER, sid=None, **extra) -> dict:
    return {
        "MessageSid": sid or new_sid(),
        "AccountSid": ACCOUNT,
        "From": f"whatsapp:{sender}",
        "To": f"whatsapp:{to}",
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Pat",
        **extra,
    }


def signature_for(path: str, form: dict, *, token=None, base=None) -> str:
    url = f"{base or settings.PUBLIC_BASE_URL}{path}"
    return RequestValidator(token or TOKEN).compute_signature(url, form)


def post_signed(client, path, form, *, signature=None, **headers):
    """POST a form as Twilio does (urlencoded), signed for the public URL unless `signature` is given.

    The work the request leaves for after its commit (the answer task, sends) runs before this returns.
    """
    signature = signature_for(path, form) if signature is None else signature
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, urlencode(form), content_type="application/x-www-form-urlencoded", **headers)


class LocalTwilioHttp(TwilioHttpClient):
    """The SDK's own HTTP client, sending to the fake server instead of api.twilio.com."""

    def __init__(self, base: str):
        super().__init__(timeout=5)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace("https://api.twilio.com", self.base), *args, **kwargs)


class FakeTwilio:
    """Answers Messages.json like Twilio; `sent` holds each accepted request's form."""

    def __init__(self, server):
        self.server = server
        self.sent: list[dict] = []
        self.failures: list[tuple[int, dict]] = []  # answered first, in order, before accepting
        server.expect_request(MESSAGES_PATH, method="POST").respond_with_handler(self._handle)

    def fail(self, status: int, code: int = 20429, message="Too many requests", times=1):
        self.failures.extend([(status, {"code": code, "message": message, "status": status})] * times)

    def _handle(self, request):
        if self.failures:
            status, body = self.failures.pop(0)
            return Response(json.dumps(body), status=status, content_type="application/json")
        form = request.form.to_dict()
        self.sent.append(form)
        sid = new_sid()
        body = {
            "sid": sid,
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
        }
        return Response(json.dumps(body), status=201, content_type="application/json")


@pytest.fixture
def signing(settings):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = "https://walker.example.com"


@pytest.fixture
def twilio(signing, settings, httpserver, monkeypatch):
    settings.WHATSAPP_PROVIDER = "twilio"
    base = httpserver.url_for("/").rstrip("/")
    monkeypatch.setattr(twilio_api, "client", lambda: Client(ACCOUNT, TOKEN, http_client=LocalTwilioHttp(base)))
    return FakeTwilio(httpserver)


@pytest.fixture
def eager_retries():
    """Let eager tasks run their retries (Celery re-applies them at once) instead of raising Retry to the test."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def number(tenant):
    return WhatsAppSender.objects.create(tenant=tenant, number=TENANT_NUMBER)


@pytest.fixture
def member_phone(colleague):
    return PhoneFactory(user=colleague, phone_number="+14155550105", is_primary=True)
