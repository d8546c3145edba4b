"""No server-side requests to where they must not go (issue 17, point 1).

Tenant-set URLs (action webhook, Slack) are https, resolve to public addresses when
the request is made, are not redirected, and what the receiver answers stays out of
what tenants see. The fake receiver listens on 127.0.0.1, which is exactly what must
be refused unless a test allows it.
"""

import socket

import pytest
from django.core.exceptions import ValidationError
from werkzeug import Response

from hitl.models import HITLApproval, HITLNotification
from hitl.services.decisions import approve
from tenants import outbound
from tests.factories import WEBHOOK_SECRET

SECRET_ANSWER = "ami-id instance-id iam/security-credentials/walker-role"


@pytest.fixture
def webhook_to(tenant):
    def point(url):
        tenant.action_webhook_url = url
        tenant.action_webhook_secret = WEBHOOK_SECRET
        tenant.save()  # straight to the row, as a tenant set before validation existed would be

    return point


@pytest.fixture
def resolve_to(monkeypatch):
    """Make a host name resolve to the given address (a DNS answer an attacker controls)."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    names = {}
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return names


@pytest.fixture
def approved(ask, approver, django_capture_on_commit_callbacks):
    """Approve a fresh request; its execution runs (eagerly) after commit."""

    def run():
        approval = ask()
        with django_capture_on_commit_callbacks(execute=True):
            approve(approval.pk, actor=approver)
        return HITLApproval.objects.get(pk=approval.pk)

    return run


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8691/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.0.0.8/hook",
        "https://localhost/hook",
        "https://user:pw@hooks.example.com/hook",
        "ftp://hooks.example.com/hook",
        "https://[::1/hook",
        "https://hooks.example.com:99999/hook",
    ],
)
def test_an_approved_action_is_never_sent_to_a_private_or_odd_url(approved, webhook_to, url, settings):
    settings.OUTBOUND_ALLOW_HTTP = True  # even with http allowed
    webhook_to(url)
    approval = approved()
    assert approval.status == "failed"
    assert "may not send" in approval.execution_error


def test_a_host_that_resolves_to_loopback_is_refused_at_send_time(approved, webhook_to, httpserver, resolve_to):
    resolve_to["hooks.example.com"] = "127.0.0.1"
    webhook_to(f"http://hooks.example.com:{httpserver.port}/actions")
    httpserver.expect_request("/actions").respond_with_data(SECRET_ANSWER)
    approval = approved()
    assert approval.status == "failed" and "not public" in approval.execution_error
    assert httpserver.log == []


def test_the_connection_goes_to_the_address_that_was_checked(approved, webhook_to, httpserver, resolve_to, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # as if 127.0.0.1 were the tenant's public receiver
    resolve_to["hooks.example.com"] = "127.0.0.1"
    webhook_to(f"http://hooks.example.com:{httpserver.port}/actions")
    httpserver.expect_request("/actions").respond_with_data("ok")
    approval = approved()
    assert approval.status == "executed"
    ((request, _),) = httpserver.log
    assert request.headers["Host"] == f"hooks.example.com:{httpserver.port}"


def test_plain_http_is_refused_unless_allowed(approved, webhook_to, settings):
    settings.OUTBOUND_ALLOW_HTTP = False
    webhook_to("http://hooks.example.com/actions")
    approval = approved()
    assert approval.status == "failed" and "https://" in approval.execution_error


@pytest.mark.usefixtures("loopback_receivers")
def test_redirects_are_not_followed(approved, webhook_to, httpserver):
    webhook_to(httpserver.url_for("/actions"))
    httpserver.expect_request("/actions").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    approval = approved()
    assert approval.status == "failed" and "HTTP 302 Found" in approval.execution_error
    assert len(httpserver.log) == 1


@pytest.mark.usefixtures("loopback_receivers")
def test_the_requester_never_reads_what_the_receiver_answered(approved, requester, webhook_to, httpserver, api_as):
    webhook_to(httpserver.url_for("/actions"))
    httpserver.expect_request("/actions").respond_with_data(SECRET_ANSWER)
    approval = approved()
    body = api_as(requester).get(f"/api/hitl/approvals/{approval.pk}/").content.decode()
    assert approval.status == "executed" and '"status_code":200' in body
    assert "instance-id" not in body


@pytest.mark.usefixtures("loopback_receivers")
def test_a_refusal_shows_the_status_and_the_standard_reason_only(approved, webhook_to, httpserver):
    webhook_to(httpserver.url_for("/actions"))
    httpserver.expect_request("/actions").respond_with_response(Response(SECRET_ANSWER, status="403 instance-id leak"))
    approval = approved()
    assert approval.execution_error == "127.0.0.1 answered HTTP 403 Forbidden"


def test_slack_to_a_private_address_is_refused_and_recorded(
    ask, workflow, approver, tenant, httpserver, resolve_to, django_capture_on_commit_callbacks
):
    resolve_to["hooks.slack.example"] = "127.0.0.1"
    tenant.slack_webhook_url = f"http://hooks.slack.example:{httpserver.port}/slack"
    tenant.save()
    workflow(notification_channels=["slack"])
    with django_capture_on_commit_callbacks(execute=True):
        ask()
    row = HITLNotification.objects.get(channel="slack")
    assert row.status == "failed" and "may not send" in row.failure_reason
    assert httpserver.log == []


@pytest.mark.usefixtures("loopback_receivers")
def test_a_slack_refusal_does_not_store_what_slack_answered(
    ask, workflow, approver, tenant, httpserver, django_capture_on_commit_callbacks
):
    tenant.slack_webhook_url = httpserver.url_for("/slack")
    tenant.save()
    httpserver.expect_request("/slack").respond_with_data(SECRET_ANSWER, status=400)
    workflow(notification_channels=["slack"])
    with django_capture_on_commit_callbacks(execute=True):
        ask()
    row = HITLNotification.objects.get(channel="slack")
    assert row.failure_reason == "Slack answered HTTP 400"


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://hooks.example.com/walker", True),
        ("https://93.184.216.34/walker", True),
        ("http://hooks.example.com/walker", False),
        ("https://169.254.169.254/latest/meta-data/", False),
        ("https://127.0.0.1:8691/hook", False),
        ("https://192.168.1.10/hook", False),
    ],
)
def test_tenant_urls_are_checked_when_saved(tenant, settings, url, ok):
    settings.OUTBOUND_ALLOW_HTTP = False
    tenant.action_webhook_url = tenant.slack_webhook_url = url
    if ok:
        tenant.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            tenant.full_clean()
        assert {"action_webhook_url", "slack_webhook_url"} <= set(caught.value.message_dict)


def test_allowed_networks_open_a_private_range_on_purpose(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert outbound.address_allowed("10.20.3.4")
    assert not outbound.address_allowed("10.21.3.4")
    assert not outbound.address_allowed("169.254.169.254")
