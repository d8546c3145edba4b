import pytest

from tests.adplatforms.fake_meta import FakeMetaGraph


@pytest.fixture
def meta_ads(settings):
    """Meta's Graph API faked on 127.0.0.1, with Walker's settings pointed at it."""
    fake = FakeMetaGraph(version=settings.META_GRAPH_API_VERSION).start()
    settings.META_GRAPH_API_URL = fake.url
    yield fake
    fake.stop()
