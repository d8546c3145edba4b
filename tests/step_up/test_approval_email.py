"""The approval email at the tenant's step-up level: no one-click link (it could not decide) and no invitation to
decide by reply, but the console's page, where the second factor is asked; below the level, the links as before."""

import re

from django.core import mail

from hitl.links import approval_url
from tests.step_up.conftest import place_level


def test_at_the_level_the_email_sends_the_approver_to_the_console(
    ask, workflow, tenant, approver, django_capture_on_commit_callbacks
):
    place_level(tenant, "low")  # every approval is at or above it
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask()

    (message,) = mail.outbox
    html, _ = message.alternatives[0]
    for body in (message.body, html):
        assert "/hitl/decide/" not in body and "reply to this email" not in body
        assert approval_url(approval) in body and "second factor shown in the last 15 minutes" in body
    assert not re.search(r"^Approve: ", message.body, re.M)


def test_below_the_level_the_email_keeps_its_links(ask, workflow, tenant, approver, django_capture_on_commit_callbacks):
    place_level(tenant, "critical")
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        approval = ask()

    assert approval.risk_level != "critical"
    (message,) = mail.outbox
    assert re.search(r"^Approve: \S+/hitl/decide/", message.body, re.M)


def test_the_email_speaks_the_approvers_spanish(ask, workflow, tenant, approver, django_capture_on_commit_callbacks):
    approver.language = "es"
    approver.save(update_fields=["language"])
    place_level(tenant, "low")
    workflow(notification_channels=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        ask()

    (message,) = mail.outbox
    html, _ = message.alternatives[0]
    assert "requiere un segundo factor" in message.body and "Decídela en Walker:" in message.body
    assert "Decide en Walker" in html
