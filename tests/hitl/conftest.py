"""Fixtures the approval tests share."""

import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Execute what decisions queue after commit (execution, notifications), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
