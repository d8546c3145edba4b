"""Fixtures of the ad platform tests: fakes of the platforms' APIs on 127.0.0.1."""

import pytest

from adplatforms.simulator.google import FakeGoogleAds
from adplatforms.simulator.meta import FakeMetaGraph


@pytest.fixture
def google_ads(settings):
    """A fake Google Ads API with its demo accounts (FakeGoogleAds.seed_demo), which Walker's settings point at."""
    fake = FakeGoogleAds(version=settings.GOOGLE_ADS_API_VERSION).start()
    fake.seed_demo()
    settings.GOOGLE_ADS_API_URL = fake.url
    settings.GOOGLE_OAUTH_TOKEN_URL = fake.token_url
    yield fake
    fake.stop()


@pytest.fixture
def meta_ads(settings):
    """Meta's Graph API faked on 127.0.0.1, with Walker's settings pointed at it."""
    fake = FakeMetaGraph(version=settings.META_GRAPH_API_VERSION).start()
    settings.META_GRAPH_API_URL = fake.url
    yield fake
    fake.stop()
