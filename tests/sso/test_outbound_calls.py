"""The sign-in's calls to the provider (discovery, keys, token, user info) go through tenants.outbound: no redirect is
followed with the client secret, an address Walker may not reach is refused, and every failure, and the provider's
own errors (a cancel, a bad state), is a plain page with a way back, never a server error."""

import pytest
import requests
from werkzeug import Response

from tenants.models import User
from tests.quick_httpserver import QuickHTTPServer
from tests.sso.conftest import SERVER, signed_in_as, sso_sign_in, start

FAILED = "socialaccount/authentication_error.html"


@pytest.fixture
def internal_service():
    """Another service on the loopback that records every request it receives (the redirect's target)."""
    server = QuickHTTPServer(host="127.0.0.1", port=0)
    server.received = []
    server.expect_request("/internal-token").respond_with_handler(
        lambda request: server.received.append(request.get_data(as_text=True)) or Response("{}", status=200)
    )
    server.start()
    yield server
    server.clear()
    server.stop()


def _plain_failure(answer, *words):
    assert answer.status_code in (400, 401, 403), answer.status_code
    page = answer.content.decode()
    assert FAILED in [t.name for t in answer.templates]
    assert 'href="/accounts/sso/"' in page and 'href="/accounts/login/"' in page  # the ways back
    for word in words:
        assert word in page
    return page


def _callback(client, email="ana@acme.test"):
    to_provider = start(client, email)
    assert to_provider.status_code == 302, to_provider.content
    return requests.get(to_provider["Location"], allow_redirects=False, timeout=5).headers["Location"]


def test_a_token_endpoint_that_redirects_never_gets_the_secret_sent_on(client, provider, idp, internal_service):
    target = internal_service.url_for("/internal-token")
    idp.server.expect_request("/token-moved", method="POST").respond_with_response(
        Response(status=307, headers={"Location": target})
    )
    idp.endpoints = {"token_endpoint": f"{idp.issuer}/token-moved"}

    answer = sso_sign_in(client)

    assert internal_service.received == []  # neither the secret nor the code nor the verifier
    _plain_failure(answer, "redirect")
    assert signed_in_as(client) is None and not User.objects.filter(tenant=provider.tenant).exists()


def test_the_token_exchange_still_works_through_the_guard(client, provider, idp):
    assert sso_sign_in(client).status_code == 302
    assert idp.token_requests[-1]["client_secret"] == idp.client_secret


def test_discovery_at_an_address_walker_may_not_reach_is_a_plain_page(client, provider, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    answer = start(client, "ana@acme.test")
    _plain_failure(answer, "Walker may not connect to")


def test_the_login_view_with_a_provider_walker_may_not_reach_is_a_plain_page(client, provider, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    answer = client.post(f"/accounts/oidc/{provider.provider_id}/login/")
    _plain_failure(answer, "Walker may not connect to")


def test_a_javascript_authorization_endpoint_is_refused(client, provider, idp):
    idp.endpoints = {"authorization_endpoint": "javascript:alert(document.domain)"}
    answer = start(client, "ana@acme.test")
    page = _plain_failure(answer, "authorization_endpoint")
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("endpoint", ["jwks_uri", "userinfo_endpoint"])
def test_keys_or_user_info_at_a_private_address_is_a_plain_page(client, provider, idp, endpoint):
    callback = _callback(client)
    idp.endpoints = {endpoint: "http://10.0.0.7/internal"}  # the configuration changed after the sign-in began
    answer = client.get(callback.removeprefix(SERVER))
    _plain_failure(answer)
    assert signed_in_as(client) is None


def test_discovery_failing_at_the_callback_is_a_plain_page(client, provider, settings):
    callback = _callback(client)
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    answer = client.get(callback.removeprefix(SERVER))
    _plain_failure(answer, "Walker may not connect to")


def test_a_cancel_at_the_provider_is_a_plain_page(client, provider, idp):
    callback = _callback(client)
    state = callback.split("state=")[1]
    answer = client.get(f"/accounts/oidc/{provider.provider_id}/login/callback/?error=access_denied&state={state}")
    _plain_failure(answer, "cancelled")
    assert signed_in_as(client) is None


def test_another_provider_error_is_a_plain_page(client, provider, idp):
    callback = _callback(client)
    state = callback.split("state=")[1]
    path = f"/accounts/oidc/{provider.provider_id}/login/callback/?error=server_error&state={state}"
    _plain_failure(client.get(path))


def test_a_bad_state_is_a_plain_page(client, provider):
    answer = client.get(f"/accounts/oidc/{provider.provider_id}/login/callback/?code=abc&state=not-a-state")
    _plain_failure(answer)
