"""Requests filed as a member's chat files them: through the pipeline and the built-in Paid Ads agent."""

import pytest

from conversations.normalized import InboundMessage
from hitl.models import HITLApproval
from tests.pipeline import exchange


@pytest.fixture
def asked(requester, campaign, other_campaign):
    """`asked(text)`: the requester writes `text` in the chat; the request the agent filed for it."""

    def say(text: str, *, by=None) -> HITLApproval:
        done = exchange(InboundMessage(channel="chat", text=text, user_id=(by or requester).pk))
        [action] = done.actions
        return HITLApproval.objects.get(pk=action.approval_id)

    return say


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Execute what the transaction queued after commit (notifications, the agent's revision), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
