"""A SendGrid retry racing the first post, on real PostgreSQL connections: one outcome, one answer."""

import pytest
from django.test import Client

from conversations.models import Message
from hitl.models import HITLDecision
from tests.concurrency import at_once
from tests.fixtures.email import basic, parse_fields

pytestmark = pytest.mark.usefixtures("postgres_only")


def post_twice_at_once(**fields):
    data = parse_fields(**fields)

    def post():
        return Client().post("/channels/email/inbound", data=data, HTTP_AUTHORIZATION=basic()).json()["outcome"]

    return at_once(post, post)


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_command_twice_at_once_decides_and_answers_once(ask, workflow, approver, sendgrid, attempt):
    workflow(notification_channels=["in_app"])
    approval = ask()
    outcomes = post_twice_at_once(sender=approver.email, text=f"approve {approval.reference}")
    assert sorted(outcomes) == ["command", "duplicate"]
    assert HITLDecision.objects.filter(approval=approval).count() == 1 and len(sendgrid.mails) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_message_twice_at_once_is_stored_and_answered_once(requester, sendgrid, agents, attempt):
    outcomes = post_twice_at_once(sender=requester.email, text="How are our campaigns doing?")
    assert sorted(outcomes) == ["duplicate", "message"]
    assert Message.objects.filter(direction="inbound").count() == 1
    assert Message.objects.filter(direction="outbound").count() == 1 and len(sendgrid.mails) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_two_emails_at_once_from_one_unknown_sender_get_one_answer(sendgrid, attempt):
    """Two different emails (not a retry): each is remembered, one answer between them (channels_app.email.answers)."""

    def post(message_id):
        data = parse_fields(sender="stranger@elsewhere.test", headers={"Message-ID": f"<{message_id}@x>"})
        return lambda: Client().post("/channels/email/inbound", data=data, HTTP_AUTHORIZATION=basic()).json()["outcome"]

    assert at_once(post("first"), post("second")) == ["unknown_sender", "unknown_sender"]
    assert len(sendgrid.mails) == 1
