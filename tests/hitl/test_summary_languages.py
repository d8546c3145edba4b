"""An approval's summary in each reader's language (issue 31, point 5): stored as the request was made, shown to
approvers in theirs (the approval page, the queue, the email and WhatsApp notices, the console's live feed) and to the
requester in the language they asked in (the chip, the outcome)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from channels_app.console import follow
from conversations.normalized import InboundMessage
from conversations.services import with_current_status
from hitl.models import HITLApproval, HITLNotification
from hitl.notifying import senders
from hitl.services.decisions import approve
from tenants.models import UserPhoneNumber
from tenants.roles import Role
from tests.factories import CampaignFactory, HITLWorkflowFactory, UserFactory
from tests.pipeline import exchange

ASKED = {
    "es": "Sube el presupuesto de Summer Sale a 700 dólares al día",
    "en": "Raise the Summer Sale budget to $700 a day",
}
SUMMARY = {
    "es": "Subir el presupuesto diario de Summer Sale de 500,00 US$ a 700,00 US$",
    "en": "Raise Summer Sale daily budget from $500.00 to $700.00",
}
OTHER = {"es": "en", "en": "es"}
QUEUE = reverse("admin:hitl_hitlapproval_changelist")


@pytest.fixture
def summer_sale(tenant):
    HITLWorkflowFactory(tenant=tenant, name="Budget changes", notification_channels=["email", "in_app"])
    return CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))


def asked_in(language, requester, *, setting=None):
    """`requester` (their setting `setting`, else `language`) asks for a budget change in `language`."""
    requester.language = setting or language
    requester.save(update_fields=["language"])
    result = exchange(InboundMessage(channel="chat", text=ASKED[language], user_id=requester.pk))
    (outcome,) = result.actions
    return result, HITLApproval.objects.get(pk=outcome.approval_id)


@pytest.mark.parametrize("asked", ["es", "en"])
def test_each_approver_reads_the_summary_in_their_language(console_as, tenant, requester, summer_sale, asked):
    """A Spanish request and an English approver, and the reverse: the page, the queue and the email."""
    reader = OTHER[asked]
    approver = UserFactory(tenant=tenant, role=Role.APPROVER, language=reader)
    result, approval = asked_in(asked, requester)
    assert approval.action_summary == SUMMARY[asked] and approval.language == asked  # stored as asked

    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()
    page, timeline = page.split('id="history"')
    assert SUMMARY[asked] in timeline.replace("&nbsp;", "\xa0")  # the history keeps what was stored
    queue = console_as(approver).get(QUEUE).content.decode()
    email = next(m for m in mail.outbox if m.to == [approver.email])
    for shown in (page, queue, email.subject, email.body, email.alternatives[0][0]):
        assert SUMMARY[reader].replace("\xa0", " ") in shown.replace("\xa0", " ").replace("&nbsp;", " ")
        assert SUMMARY[asked].replace("\xa0", " ") not in shown.replace("\xa0", " ")
    stored = HITLNotification.objects.get(recipient=approver, channel="email")
    assert SUMMARY[reader] in stored.subject

    (chip,) = with_current_status(result.reply.metadata["actions"])  # the requester's chip: the language they asked in
    assert chip["summary"] == SUMMARY[asked]
    searched = console_as(approver).get(QUEUE, {"q": SUMMARY[asked].split()[0]}).content.decode()
    assert approval.reference in searched  # search reads the stored summary


def test_the_requester_hears_the_outcome_with_the_summary_they_asked_in(
    tenant, requester, summer_sale, django_capture_on_commit_callbacks
):
    approver = UserFactory(tenant=tenant, role=Role.APPROVER, language="en")
    result, approval = asked_in("es", requester)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the approver's request
        approve(approval.pk, actor=approver, notes="ok")
    told = result.conversation.messages.filter(metadata__reference=approval.reference).order_by("created_at")
    texts = [m.text for m in told]
    assert any(SUMMARY["es"] in t for t in texts), texts
    assert not any("Raise Summer Sale" in t for t in texts), texts
    chip_updates = result.conversation.events.filter(payload__reference=approval.reference)  # the live chip
    assert {e.payload["summary"] for e in chip_updates if "summary" in e.payload} == {SUMMARY["es"]}


def test_an_edit_keeps_the_stored_summary_in_the_requests_language(tenant, requester, summer_sale):
    approver = UserFactory(tenant=tenant, role=Role.APPROVER, language="en")
    _result, approval = asked_in("es", requester)
    with translation.override("en"):
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "650.00"}})
        approval.refresh_from_db()
        assert approval.summary == "Raise Summer Sale daily budget from $500.00 to $650.00"
    assert approval.action_summary == "Subir el presupuesto diario de Summer Sale de 500,00 US$ a 650,00 US$"


def test_whatsapp_notices_and_the_console_feed_speak_each_readers_language(tenant, requester, summer_sale, monkeypatch):
    _result, approval = asked_in("es", requester)
    english = UserFactory(tenant=tenant, role=Role.APPROVER, language="en")
    row = HITLNotification(
        tenant=tenant, approval=approval, channel="whatsapp", recipient=english, event="created", subject="s"
    )
    sent = {}
    UserPhoneNumber.objects.create(user=english, phone_number="+14155550100", is_primary=True, verified=True)

    def send_direct(channel, to, text, **kwargs):
        sent.update(kwargs["values"])
        return "whatsapp", ""

    monkeypatch.setattr(senders, "send_direct", send_direct)
    senders._whatsapp(row)
    assert sent["summary"] == SUMMARY["en"]

    entry = approval.history.get(event_type="created")
    assert follow.event_message(entry)["summaries"] == {"en": SUMMARY["en"], "es": SUMMARY["es"]}


@pytest.mark.parametrize(
    "data",
    [{"campaign_id": 5}, "not an object"],
    ids=["data that does not fit the schema", "data that is not an object"],
)
def test_a_summary_without_a_spec_reading_falls_back_to_the_stored_text(tenant, requester, summer_sale, data):
    _result, approval = asked_in("es", requester)
    approval.action_data = data
    with translation.override("en"):
        assert approval.summary == SUMMARY["es"]
    approval.action_type = "an_unknown_action"
    with translation.override("en"):
        assert approval.summary == SUMMARY["es"]
