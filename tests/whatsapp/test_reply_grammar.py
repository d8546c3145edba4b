"""The shared reply grammar on WhatsApp (hitl.replies): the Spanish verbs decide as the English ones, and the answer
comes in the replier's language."""

import pytest

from hitl.models import HITLDecision
from tests.whatsapp.test_decisions import APPROVER_PHONE, file_request, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval(tenant, requester, approver, number):
    return file_request(tenant, requester, approver)


def test_rechazar_with_a_reason_rejects_and_answers_in_the_approvers_language(client, twilio, approval, approver):
    approver.language = "es"
    approver.save(update_fields=["language"])
    reply(client, APPROVER_PHONE, f"Rechazar {approval.reference}: demasiado caro")
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.decisions.get().notes == "demasiado caro"
    assert approval.decisions.get().via == HITLDecision.Via.WHATSAPP
    assert f"Has rechazado {approval.reference}. No se ejecutará." in twilio.sent[-1]["Body"]


def test_aprobar_approves(client, twilio, approval):
    reply(client, APPROVER_PHONE, f"aprobar {approval.reference}")
    approval.refresh_from_db()
    assert approval.status == "executed"  # approved, then carried out (eager tasks)
    assert f"You approved {approval.reference}" in twilio.sent[-1]["Body"]
