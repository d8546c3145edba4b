import pytest


@pytest.fixture(autouse=True)
def _provider_backend(email_settings):
    """Every email test sends through Walker's provider backend (tests/fixtures/email.py)."""
