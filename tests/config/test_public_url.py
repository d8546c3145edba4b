"""One public URL rule: the server `bin/run-local` starts (WALKER_HOST, WALKER_PORT) is the origin of every link
and the simulators' target, unless PUBLIC_BASE_URL says otherwise.

Settings are read once at import, so the derivation is checked in a fresh interpreter; the links are then
checked with the value that interpreter derived.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from briefs.services import send_brief_now
from tests.config.test_settings_shapes import PRODUCTION, run_python

SHOW_URLS = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.management import load_command_class

def target(name, *args):
    command = load_command_class("channels_app", name)
    return command.create_parser("manage.py", name).parse_args([*args, "hi"]).url

print(json.dumps({
    "public": s.PUBLIC_BASE_URL,
    "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "simulate_whatsapp": target("simulate_whatsapp", "--from", "+14155550105"),
    "simulate_email": target("simulate_email", "--from", "admin@acme.test"),
}))
"""


def urls(**env):
    result = run_python(["-c", SHOW_URLS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.shape_free
@pytest.mark.slow
def test_with_nothing_set_everything_is_the_default_server():
    got = urls()
    assert got["public"] == got["simulate_whatsapp"] == got["simulate_email"] == "http://127.0.0.1:8000"
    assert got["csrf_origins"] == ["http://127.0.0.1:8000"]


@pytest.mark.shape_free
@pytest.mark.slow
@pytest.mark.parametrize(
    "env, public",
    [
        ({"WALKER_PORT": "8740"}, "http://127.0.0.1:8740"),
        ({"WALKER_HOST": "localhost", "WALKER_PORT": "8740"}, "http://localhost:8740"),
        ({"WALKER_HOST": "0.0.0.0", "WALKER_PORT": "8740"}, "http://127.0.0.1:8740"),  # every interface: loopback
        ({"WALKER_HOST": "::1", "WALKER_PORT": "8740"}, "http://[::1]:8740"),
    ],
)
def test_the_port_and_host_run_local_serves_on_are_the_public_url_and_the_simulators_target(env, public):
    got = urls(**env)
    assert got["public"] == got["simulate_whatsapp"] == got["simulate_email"] == public
    assert got["csrf_origins"] == [public]
    assert urlsplit(public).hostname in {host.strip("[]") for host in got["allowed_hosts"]}


@pytest.mark.shape_free
@pytest.mark.slow
def test_an_explicit_public_base_url_wins():
    got = urls(WALKER_PORT="8740", PUBLIC_BASE_URL="https://walker.example.com/")
    assert got["public"] == got["simulate_whatsapp"] == got["simulate_email"] == "https://walker.example.com"


@pytest.mark.shape_free
@pytest.mark.slow
def test_production_still_requires_public_base_url_whatever_the_port():
    env = {k: v for k, v in PRODUCTION.items() if k != "PUBLIC_BASE_URL"}
    result = run_python(["manage.py", "check"], **env, WALKER_PORT="8740")
    assert result.returncode != 0
    assert "Missing required environment variable PUBLIC_BASE_URL (needed when DEBUG=0)" in result.stderr


@pytest.mark.shape_free
@pytest.mark.slow
@pytest.mark.parametrize("port", ["port", "0"])
def test_a_bad_port_fails_loudly(port):
    result = run_python(["manage.py", "check"], WALKER_PORT=port)
    assert result.returncode != 0 and "WALKER_PORT must be" in result.stderr


@pytest.mark.slow
def test_every_link_of_an_approval_email_and_a_brief_is_on_that_port(
    settings,
    ask,
    workflow,
    approver,
    sent_emails,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    settings.PUBLIC_BASE_URL = urls(WALKER_PORT="8740")["public"]
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        ask()
    (approval_email,) = mail.outbox
    html, _ = approval_email.alternatives[0]
    for body in (approval_email.body, html):
        links = re.findall(r"https?://[^\s\"'<>]+", body)
        assert links and all(link.startswith("http://127.0.0.1:8740/") for link in links), links
    assert re.search(r"^Approve: http://127\.0\.0\.1:8740/hitl/decide/\S+$", approval_email.body, re.M)
    assert re.search(r"^Reject: http://127\.0\.0\.1:8740/hitl/decide/\S+$", approval_email.body, re.M)

    assert send_brief_now(approver).status == "sent"
    (brief,) = sent_emails
    assert brief.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8740/")
    links = re.findall(r"https?://[^\s\"'<>]+", brief.text + brief.html)
    assert links and all(link.startswith("http://127.0.0.1:8740/") for link in links), links
