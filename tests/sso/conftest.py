"""Single sign-on against the fake provider (tests/sso/fake_idp.py): the tenant Acme signs in acme.test addresses
through it; the browser is Django's test client, and the trip to the provider and back is followed by hand."""

import pytest
import requests
from django.utils import timezone

from tenants.models import IdentityProvider, SignInDomain
from tenants.models.tenant import default_mfa_roles
from tenants.roles import Role
from tests.sso.fake_dns import FakeDNS
from tests.sso.fake_idp import FakeIdP

SERVER = "http://testserver"


@pytest.fixture
def idp(httpserver, loopback_receivers):
    return FakeIdP(httpserver)


@pytest.fixture
def provider(tenant, idp):
    """Acme's provider: acme.test addresses (proven), new accounts as approvers."""
    row = IdentityProvider.objects.create(
        tenant=tenant,
        issuer=idp.issuer,
        client_id=idp.client_id,
        client_secret=idp.client_secret,
        default_role=Role.APPROVER,
    )
    SignInDomain.objects.create(provider=row, domain="acme.test", verified_at=timezone.now())
    return row


@pytest.fixture
def dns(settings):
    """Walker's resolver pointed at a DNS server on 127.0.0.1 whose TXT records a test writes."""
    with FakeDNS() as server:
        settings.SSO_DNS_NAMESERVERS = ["127.0.0.1"]
        settings.SSO_DNS_PORT = server.port
        settings.SSO_DNS_TIMEOUT_SECONDS = 2
        yield server.zone


@pytest.fixture
def mfa_on(tenant):
    """The tenant with a new tenant's MFA policy: admin, approver and compliance need a second factor."""
    tenant.mfa_required_roles = default_mfa_roles()
    tenant.save(update_fields=["mfa_required_roles"])
    return tenant


def start(client, email, next_url=None):
    """The company step: the answer sends the browser to the provider (or shows the form with its error)."""
    path = "/accounts/sso/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"email": email})


def sso_sign_in(client, email="ana@acme.test", next_url=None):
    """The whole trip: the company step, the provider's authorize page, and Walker's callback; its answer."""
    to_provider = start(client, email, next_url)
    assert to_provider.status_code == 302, to_provider.content
    at_provider = requests.get(to_provider["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["Location"]
    assert callback.startswith(SERVER)
    return client.get(callback.removeprefix(SERVER))


def signed_in_as(client):
    return client.session.get("_auth_user_id")
