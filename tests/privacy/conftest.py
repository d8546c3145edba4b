import pytest


@pytest.fixture(autouse=True)
def _provider_backend(email_settings):
    """Personal data is followed through the email provider too (tests/fixtures/email.py)."""
