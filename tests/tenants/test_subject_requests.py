"""Subject access and erasure for one person: everything exported (decrypted, audited), everything erased
across the apps while aggregates stay, idempotent and resumable after a crash, another tenant untouched."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import EmailDeliveryLog
from channels_app.whatsapp.models import WhatsAppContact
from conversations.models import Conversation, ConversationEvent, ConversationNote, Message
from hitl.models import HITLNotification
from tenants.models import AccessLog, SubjectRequest, User, UserEmailPreference, UserPhoneNumber
from tenants.privacy import personal_data
from tenants.privacy.subject_requests import erase_person
from tenants.roles import Role
from tests.factories import (
    ConversationFactory,
    EmailPreferenceFactory,
    MessageFactory,
    PhoneFactory,
    TenantFactory,
    UserFactory,
)

TEXT = "Call me on +1 415 555 0199 or mail jane.doe@example.com"


def holdings(person, phone="+14155550199"):
    """Give `person` data in every app that holds some; returns their conversation."""
    tenant = person.tenant
    PhoneFactory(user=person, phone_number=phone)
    EmailPreferenceFactory(user=person)
    conversation = ConversationFactory(user=person, channel="whatsapp", metadata={"k": "v"})
    MessageFactory(conversation=conversation, text=TEXT, metadata={"subject": "mine"})
    ConversationEvent.objects.create(conversation=conversation, seq=1, event_type="message_received", payload={"t": 1})
    WhatsAppContact.objects.create(tenant=tenant, phone=phone, last_inbound_at=conversation.started_at)
    EmailDeliveryLog.objects.create(
        tenant=tenant, user=person, to_address=person.email, email_type="notification", subject="About jane",
        reference=f"ref-{person.pk}", failure_reason=f"550 5.1.1 <{person.email}>: no such user",
    )  # fmt: skip
    return conversation


@pytest.fixture
def person(tenant):
    person = UserFactory(tenant=tenant, role=Role.MEMBER, email="jane.doe@acme.test", first_name="Jane")
    holdings(person)
    return person


@pytest.fixture
def officer(tenant):
    return UserFactory(tenant=tenant, role=Role.COMPLIANCE, email="dpo@acme.test")


@pytest.fixture
def bystanders(tenant):
    """A colleague of the same tenant and a person of another tenant, with data of their own."""
    colleague = UserFactory(tenant=tenant, role=Role.MEMBER, email="sam@acme.test")
    other = TenantFactory(slug="globex")
    stranger = UserFactory(tenant=other, role=Role.MEMBER, email="jane@globex.test")
    holdings(colleague, phone="+14155550177")
    holdings(stranger)
    return [colleague, stranger]


def request_as(api_as, user, **body):
    return api_as(user).post("/api/subject-requests/", body, format="json")


def test_an_export_holds_everything_decrypted_and_is_recorded_with_its_reason(api_as, officer, person):
    response = request_as(api_as, officer, person=str(person.pk), kind="export", reason="Art. 15 request #77")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["profile"]["email"] == "jane.doe@acme.test" and data["profile"]["phones"][0]["number"] == "+14155550199"
    assert data["conversations"][0]["messages"][0]["text"] == TEXT
    assert data["email_deliveries"][0]["subject"] == "About jane"
    assert {"phone": "+14155550199"}.items() <= data["whatsapp"][0].items()
    done = SubjectRequest.objects.get()
    assert (done.kind, done.status, done.requested_by, done.reason) == (
        "export",
        "done",
        officer,
        "Art. 15 request #77",
    )
    record = AccessLog.objects.get()
    assert (record.sensitivity, record.object_id, record.reason) == (
        "high",
        str(person.pk),
        "Subject access: Art. 15 request #77",
    )


def test_an_erasure_removes_the_person_everywhere_and_keeps_the_counts(api_as, officer, person, bystanders, tenant):
    HITLNotification.objects.create(
        tenant=tenant, approval=_approval(tenant, person), channel="email", recipient=person,
        recipient_email=person.email, event="decided", subject="Your request", message="Hi Jane",
    )  # fmt: skip
    messages_before = Message.objects.count()
    response = request_as(api_as, officer, person=str(person.pk), kind="erasure", reason="Art. 17 request #78")
    assert response.status_code == 201 and response.json()["status"] == "done"

    person = User.objects.get(pk=person.pk)
    assert person.email == f"erased-{person.pk}@erased.invalid" and not person.is_active and person.first_name == ""
    assert not person.has_usable_password()
    assert not UserPhoneNumber.objects.filter(user=person).exists()
    assert not UserEmailPreference.objects.filter(user=person).exists()
    message = Message.objects.get(conversation__user=person)
    assert message.text == "[Erased at the person's request]" and message.metadata == {}
    assert not ConversationEvent.objects.filter(conversation__user=person).exists()
    assert Conversation.objects.get(user=person).metadata == {}
    notification = HITLNotification.objects.get(recipient=person)
    assert (notification.recipient_email, notification.message) == ("", "[Erased at the person's request]")
    log = EmailDeliveryLog.objects.get(user=person)
    assert (log.to_address, log.subject, log.failure_reason) == ("", "", "")
    assert not WhatsAppContact.objects.filter(tenant=tenant, phone="+14155550199").exists()
    assert Message.objects.count() == messages_before  # rows, counts and metrics stay

    for bystander in bystanders:  # the colleague and the other tenant's person keep everything
        assert Message.objects.get(conversation__user=bystander).text == TEXT
        assert UserPhoneNumber.objects.filter(user=bystander).exists()
        assert EmailDeliveryLog.objects.get(user=bystander).subject == "About jane"
        assert User.objects.get(pk=bystander.pk).is_active
    assert WhatsAppContact.objects.filter(tenant=bystanders[1].tenant).exists()


def _approval(tenant, person):
    from decimal import Decimal

    from agents.models import AIAgent
    from hitl.services.requests import request_approval
    from tests.factories import CampaignFactory, budget_action

    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    return request_approval(tenant=tenant, agent=agent, action=budget_action(campaign), requested_by=person)


def test_erasing_twice_changes_nothing_the_second_time(officer, person):
    first = erase_person(officer, person, reason="request")
    again = erase_person(officer, User.objects.get(pk=person.pk), reason="request")
    assert again.pk == first.pk and SubjectRequest.objects.count() == 1
    assert again.counts == first.counts


def test_an_erasure_that_crashed_resumes_and_finishes(officer, person, monkeypatch):
    real = personal_data.holders()

    def crashing():
        crash = personal_data.Holder("crash", "Crash", export=lambda p: [], erase=_boom, order=15)
        return sorted([*real, crash], key=lambda h: h.order)

    monkeypatch.setattr("tenants.privacy.subject_requests.holders", crashing)
    with pytest.raises(RuntimeError):
        erase_person(officer, person, reason="request")
    running = SubjectRequest.objects.get()
    assert running.status == "running" and running.counts["conversations"] > 0  # the first step is done and kept
    assert User.objects.get(pk=person.pk).is_active  # the profile, last, was not reached

    monkeypatch.setattr("tenants.privacy.subject_requests.holders", lambda: real)
    finished = erase_person(officer, User.objects.get(pk=person.pk), reason="request")
    assert finished.pk == running.pk and finished.status == "done"
    assert not User.objects.get(pk=person.pk).is_active
    assert SubjectRequest.objects.count() == 1


def _boom(person, now):
    raise RuntimeError("worker died")


@pytest.mark.parametrize("role", [Role.APPROVER, Role.SUPPORT, Role.MEMBER])
def test_roles_without_the_right_are_refused_and_nothing_changes(api_as, tenant, person, role):
    user = UserFactory(tenant=tenant, role=role)
    response = request_as(api_as, user, person=str(person.pk), kind="erasure", reason="x")
    assert response.status_code == 403
    assert api_as(user).get("/api/subject-requests/").status_code == 403
    assert User.objects.get(pk=person.pk).is_active and not SubjectRequest.objects.exists()


def test_another_tenants_person_is_not_found(api_as, officer, bystanders):
    response = request_as(api_as, officer, person=str(bystanders[1].pk), kind="export", reason="x")
    assert response.status_code == 404 and not AccessLog.objects.exists()


def test_a_request_needs_a_reason_and_a_known_kind(api_as, officer, person):
    assert request_as(api_as, officer, person=str(person.pk), kind="erasure", reason="").status_code == 400
    assert request_as(api_as, officer, person=str(person.pk), kind="delete", reason="x").status_code == 400
    assert User.objects.get(pk=person.pk).is_active


def test_tenant_admins_use_the_console_form_to_export_and_erase(console_as, tenant, person):
    admin = UserFactory(tenant=tenant, role=Role.ADMIN)
    client = console_as(admin)
    url = reverse("admin:tenants_subjectrequest_add")
    assert "subject-request-form" in client.get(url).content.decode()
    exported = client.post(url, {"person": str(person.pk), "kind": "export", "reason": "asked by email"})
    assert json.loads(downloaded(exported, person))["profile"]
    erased = client.post(url, {"person": str(person.pk), "kind": "erasure", "reason": "asked by email"})
    assert erased.status_code == 302 and not User.objects.get(pk=person.pk).is_active
    listing = client.get(reverse("admin:tenants_subjectrequest_changelist")).content.decode()
    assert listing.count("asked by email") == 0 and "Erasure" in listing  # reasons show on the record, not the list


def downloaded(page, person) -> bytes:
    """The export's file, from the link on the page that confirms it (a data URL: nothing is kept on the server)."""
    html = page.content.decode()
    at = html.index('data-testid="export-download"')
    link = html[html.rindex("<a ", 0, at) : html.index(">", at)]
    assert f'download="personal-data-{person.pk}.json"' in link
    href = link[link.index('href="') + 6 :]
    return base64.b64decode(href[: href.index('"')].removeprefix("data:application/json;base64,"))


def test_a_console_export_confirms_what_it_exported(console_as, tenant, person):
    """The export used to be a bare download, the form left as it was: now a page says whose data, what parts and
    how many of each (in words, not the holders' keys), that it is recorded, and offers the file."""
    client = console_as(UserFactory(tenant=tenant, role=Role.ADMIN))
    page = client.post(
        reverse("admin:tenants_subjectrequest_add"), {"person": str(person.pk), "kind": "export", "reason": "asked"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="export-done"' in html
    record = SubjectRequest.objects.get(kind=SubjectRequest.Kind.EXPORT)
    assert person.get_full_name() in html and reverse("admin:tenants_subjectrequest_change", args=[record.pk]) in html
    parts = html[html.index('data-testid="export-parts"') :]
    assert record.counts["conversations"] >= 1  # the person's holdings (the fixture)
    assert f"Conversations</td><td>{record.counts['conversations']}</td>" in parts and "Profile</td><td>1</td>" in parts
    assert "approval_requests" not in parts and "Approval requests</td><td>0</td>" in parts
    assert set(json.loads(downloaded(page, person))) >= {"person", "profile", "conversations"}


def test_every_holder_of_personal_data_is_named_in_words():
    for holder in personal_data.holders():
        assert str(holder.label) and str(holder.label) != holder.name, holder.name


def test_support_cannot_open_the_form(console_as, tenant):
    support = UserFactory(tenant=tenant, role=Role.SUPPORT)
    assert console_as(support).get(reverse("admin:tenants_subjectrequest_add")).status_code == 403


# --- who may erase whom (tenants.access.get_person_for_request): every door asks the same rule ------------------


def erase_in_console(console_as, actor, person):
    return console_as(actor).post(
        reverse("admin:tenants_subjectrequest_add"), {"person": str(person.pk), "kind": "erasure", "reason": "asked"}
    )


def test_compliance_may_not_erase_a_tenant_admin_through_any_door(api_as, console_as, officer, tenant):
    admin = UserFactory(tenant=tenant, role=Role.ADMIN, email="boss@acme.test")
    refused = request_as(api_as, officer, person=str(admin.pk), kind="erasure", reason="Art. 17")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "admin" in refused.json()["detail"]
    page = erase_in_console(console_as, officer, admin)
    assert page.status_code == 200 and "Only another tenant admin" in page.content.decode()
    assert User.objects.get(pk=admin.pk).is_active and not SubjectRequest.objects.exists()
    # Subject access is compliance's work whoever the person is: the export stays open.
    assert request_as(api_as, officer, person=str(admin.pk), kind="export", reason="Art. 15").status_code == 200


def test_another_tenant_admin_erases_an_admin(api_as, tenant_admin, tenant):
    admin = UserFactory(tenant=tenant, role=Role.ADMIN, email="boss@acme.test")
    response = request_as(api_as, tenant_admin, person=str(admin.pk), kind="erasure", reason="Art. 17")
    assert response.status_code == 201 and not User.objects.get(pk=admin.pk).is_active


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPLIANCE])
def test_nobody_erases_themselves_through_any_door(api_as, console_as, tenant, role):
    actor = UserFactory(tenant=tenant, role=role)
    refused = request_as(api_as, actor, person=str(actor.pk), kind="erasure", reason="leaving")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    page = erase_in_console(console_as, actor, actor)
    assert page.status_code == 200 and "cannot erase yourself" in page.content.decode()
    assert User.objects.get(pk=actor.pk).is_active and not SubjectRequest.objects.exists()
    assert request_as(api_as, actor, person=str(actor.pk), kind="export", reason="mine").status_code == 200


def test_a_platform_superuser_erases_a_tenant_admin(api_as, superuser, tenant_admin):
    response = request_as(api_as, superuser, person=str(tenant_admin.pk), kind="erasure", reason="Art. 17")
    assert response.status_code == 201 and not User.objects.get(pk=tenant_admin.pk).is_active


def test_an_erasure_costs_the_same_statements_for_three_messages_as_for_thirty(officer, tenant):
    """A few statements a batch of messages, not one a message: a person of a big tenant has tens of thousands."""

    def statements_erasing(messages):
        person = UserFactory(tenant=tenant, role=Role.MEMBER)
        conversation = ConversationFactory(user=person)
        MessageFactory.create_batch(messages, conversation=conversation, text="Call me on +1 415 555 0199",
                                    metadata={"agent_type": "seo", "subject": "my phone"})  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            erase_person(officer, person, reason="Asked by the person")
        emptied = Message.objects.filter(conversation=conversation)
        assert {(m.text, tuple(m.metadata)) for m in emptied} == {("[Erased at the person's request]", ("agent_type",))}
        return len(captured)

    assert statements_erasing(3) == statements_erasing(30)


def test_an_erasure_finds_the_messages_by_their_conversations_not_by_a_join_on_the_person(officer, tenant):
    """Over ten million messages, PostgreSQL planned the join on the person as a read of every message."""
    person = UserFactory(tenant=tenant, role=Role.MEMBER)
    MessageFactory(conversation=ConversationFactory(user=person), text=TEXT)

    with CaptureQueriesContext(connection) as captured:
        erase_person(officer, person, reason="Asked by the person")

    reading_messages = [q["sql"] for q in captured if 'FROM "conversations_message"' in q["sql"]]
    assert reading_messages and not [sql for sql in reading_messages if '"conversations_conversation"' in sql]


def test_an_erasure_empties_every_batch_of_a_persons_conversations(officer, tenant, support, monkeypatch):
    monkeypatch.setattr("conversations.retention.ERASED_CONVERSATIONS_A_BATCH", 2)
    person = UserFactory(tenant=tenant, role=Role.MEMBER)
    theirs = [ConversationFactory(user=person) for _ in range(5)]
    for n, conversation in enumerate(theirs):
        MessageFactory.create_batch(2, conversation=conversation, text=TEXT)
        ConversationEvent.objects.create(conversation=conversation, seq=1, event_type="message_received", payload={})
        ConversationNote.objects.create(
            tenant=tenant, conversation=conversation, author=support, text=f"Call {n} on +1 415 555 0142"
        )
    someone_else = MessageFactory(conversation=ConversationFactory(tenant=tenant), text=TEXT)

    erase_person(officer, person, reason="Asked by the person")

    assert {m.text for m in Message.objects.filter(conversation__user=person)} == {"[Erased at the person's request]"}
    assert {n.text for n in ConversationNote.objects.filter(conversation__user=person)} == {
        "[Erased at the person's request]"
    }
    assert not ConversationEvent.objects.filter(conversation__user=person).exists()
    someone_else.refresh_from_db()
    assert someone_else.text == TEXT
