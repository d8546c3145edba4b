"""The recommendations' tests run against the fake Google Ads over HTTP (tests/adplatforms/conftest.py)."""

from tests.adplatforms.conftest import google_ads  # noqa: F401 (a fixture)
