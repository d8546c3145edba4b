"""Fixtures of the ad platform tests: fakes of the platforms' APIs on 127.0.0.1."""

import pytest

from tests.adplatforms.fake_google import FakeGoogleAds


@pytest.fixture
def google_ads(settings):
    """A fake Google Ads API with its demo accounts (FakeGoogleAds.seed_demo), which Walker's settings point at."""
    fake = FakeGoogleAds(version=settings.GOOGLE_ADS_API_VERSION).start()
    fake.seed_demo()
    settings.GOOGLE_ADS_API_URL = fake.url
    settings.GOOGLE_OAUTH_TOKEN_URL = fake.token_url
    yield fake
    fake.stop()
