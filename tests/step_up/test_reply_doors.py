"""Step-up through the reply doors: an email or WhatsApp reply at the tenant's level decides nothing and answers on
that channel with the console link and why, in the person's language; below the level it decides as before."""

import pytest

from hitl.links import approval_url
from hitl.models import HITLApproval, HITLApprovalHistory
from tests.step_up.conftest import place_level
from tests.whatsapp.test_decisions import APPROVER_PHONE, file_request, reply

Event = HITLApprovalHistory.Event


def status_of(approval) -> str:
    return HITLApproval.objects.get(pk=approval.pk).status


def asked(approval):
    return list(approval.history.filter(event_type=Event.STEP_UP_ASKED))


# --- email ------------------------------------------------------------------------------------------------------


@pytest.fixture
def emailed(email_settings, ask, workflow):
    workflow(notification_channels=["in_app"])
    return ask()


def email_answer(sendgrid) -> str:
    (mail,) = sendgrid.mails
    return mail["content"][0]["value"]


def test_an_email_reply_at_the_level_answers_with_the_console_link(post_email, emailed, tenant, approver, sendgrid):
    place_level(tenant, emailed.risk_level)
    response = post_email(sender=approver.email, text=f"Approve {emailed.reference} looks good")
    assert response.json() == {"outcome": "command"}
    assert status_of(emailed) == "pending" and not emailed.decisions.exists()
    answer = email_answer(sendgrid)
    assert approval_url(emailed) in answer and "second factor" in answer and emailed.reference in answer
    [entry] = asked(emailed)
    assert (entry.actor, entry.metadata["via"], entry.metadata["verb"]) == (approver, "email", "approve")


def test_an_email_reply_below_the_level_decides(post_email, emailed, tenant, approver, sendgrid):
    place_level(tenant, emailed.risk_level, below=True)
    post_email(sender=approver.email, text=f"Reject {emailed.reference} too much this month")
    assert status_of(emailed) == "rejected" and not asked(emailed)


def test_the_email_answer_speaks_the_approvers_spanish(post_email, emailed, tenant, approver, sendgrid):
    approver.language = "es"
    approver.save(update_fields=["language"])
    place_level(tenant, emailed.risk_level)
    post_email(sender=approver.email, text=f"aprobar {emailed.reference}")
    answer = email_answer(sendgrid)
    assert "requiere un segundo factor" in answer and "Decídela en Walker" in answer
    assert approval_url(emailed) in answer and status_of(emailed) == "pending"


# --- WhatsApp ---------------------------------------------------------------------------------------------------


@pytest.fixture
def texted(tenant, requester, approver, number):
    return file_request(tenant, requester, approver)


def test_a_whatsapp_reply_at_the_level_answers_with_the_console_link(client, twilio, texted, tenant, approver):
    place_level(tenant, texted.risk_level)
    assert reply(client, APPROVER_PHONE, f"Approve {texted.reference}").status_code == 200
    assert status_of(texted) == "pending" and not texted.decisions.exists()
    body = twilio.sent[-1]["Body"]
    assert approval_url(texted) in body and "second factor" in body
    [entry] = asked(texted)
    assert (entry.actor, entry.metadata["via"]) == (approver, "whatsapp")


def test_a_whatsapp_reply_below_the_level_decides(client, twilio, texted, tenant, approver):
    place_level(tenant, texted.risk_level, below=True)
    reply(client, APPROVER_PHONE, f"Approve {texted.reference}")
    assert status_of(texted) != "pending" and not asked(texted)


def test_the_whatsapp_answer_speaks_the_approvers_spanish(client, twilio, texted, tenant, approver):
    approver.language = "es"
    approver.save(update_fields=["language"])
    place_level(tenant, texted.risk_level)
    reply(client, APPROVER_PHONE, f"rechazar {texted.reference} demasiado caro")
    body = twilio.sent[-1]["Body"]
    assert "requiere un segundo factor" in body and "Decídela en Walker" in body and approval_url(texted) in body
    assert status_of(texted) == "pending"
