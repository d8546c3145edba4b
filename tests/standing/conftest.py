import pytest


@pytest.fixture
def ask(ask, tenant):
    """tests/fixtures/approvals.py's `ask`, with the tenant read again first, as each message or request reads it
    (hitl.services.standing reads whether it has standing approvals from that row)."""

    def file(*args, **kwargs):
        tenant.refresh_from_db()
        return ask(*args, **kwargs)

    return file
