"""The "Connect" buttons against fake authorization servers on 127.0.0.1 (adplatforms.simulator): the installation
settings pointed at them, and the steps a browser takes (press the button, answer the consent page, come back)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from adplatforms.simulator import consent
from adplatforms.simulator.google import FakeGoogleAds
from adplatforms.simulator.meta import FakeMetaGraph


@pytest.fixture
def google(settings):
    """Google's consent page, token endpoint and Ads API faked, with two accounts of the person's own and a manager
    over a third; this installation's OAuth client and developer token are the fake's."""
    fake = FakeGoogleAds(version=settings.GOOGLE_ADS_API_VERSION).start()
    fake.seed_demo()
    fake.add_customer("5550001111", "Acme Outlet", currency="EUR", time_zone="Europe/Madrid")
    fake.add_manager("7000000001", "Acme Agency MCC", ["5550001111"])
    settings.GOOGLE_ADS_API_URL = fake.url
    settings.GOOGLE_OAUTH_TOKEN_URL = fake.token_url
    settings.GOOGLE_OAUTH_AUTHORIZE_URL = fake.authorize_url
    settings.GOOGLE_OAUTH_CLIENT_ID = fake.client_id
    settings.GOOGLE_OAUTH_CLIENT_SECRET = fake.client_secret
    settings.GOOGLE_ADS_DEVELOPER_TOKEN = fake.developer_token
    yield fake
    fake.stop()


@pytest.fixture
def meta(settings):
    """Facebook Login and the Graph API faked, with two ad accounts; this installation's Meta app is the fake's."""
    fake = FakeMetaGraph(version=settings.META_GRAPH_API_VERSION).start()
    fake.add_account("act_123", name="Acme Outdoor")
    fake.add_account("act_456", name="Acme Retail", currency="EUR", timezone="Europe/Madrid")
    fake.add_account("act_789", name="Old shop", status=101)
    settings.META_GRAPH_API_URL = fake.url
    settings.META_OAUTH_DIALOG_URL = fake.url
    settings.META_APP_ID = fake.app_id
    settings.META_APP_SECRET = fake.app_secret
    yield fake
    fake.stop()


def press(client, platform: str, **form):
    """The "Connect" (or Reconnect) button: the answer, a redirect to the provider when all is well."""
    return client.post(reverse("admin:adplatforms_adconnection_connect", args=[platform]), form)


def come_back(client, authorize_url: str, *, allow: bool = True):
    """The person answers the provider's consent page; the browser follows the redirect back to Walker."""
    return follow(client, consent.decide(authorize_url, allow=allow))


def follow(client, url: str, **kwargs):
    split = urlsplit(url)
    return client.get(f"{split.path}?{split.query}", **kwargs)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def shown(response) -> list[str]:
    """The messages the console shows after the response's redirect."""
    return [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []
