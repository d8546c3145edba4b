import pytest
from django.urls import reverse

from tenants.fields import hash_of
from tenants.models import AccessLog

EMAIL, PHONE_DIGITS = "priya.shah@acme.test", "415 555 0142"


def detail(conversation):
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])


def test_support_sees_the_conversation_masked(console_as, staff, chat_with_pii):
    html = console_as(staff["support"]).get(detail(chat_with_pii)).content.decode()
    assert EMAIL not in html and PHONE_DIGITS not in html
    assert "[email]" in html and "[phone]" in html  # message text: placeholders
    assert "2026-11-21" in html  # a date is not a phone number
    assert "Show full PII" not in html


def test_compliance_reveals_and_the_reveal_is_recorded_as_high(console_as, staff, chat_with_pii):
    """The reveal itself, by POST, is tested in full in test_pii_reveal.py."""
    client = console_as(staff["compliance"])
    masked = client.get(detail(chat_with_pii)).content.decode()
    assert EMAIL not in masked and "Show full PII" in masked
    reveal = reverse("admin:conversations_conversation_reveal", args=[chat_with_pii.pk])
    revealed = client.post(reveal, {"reason": "complaint follow-up"}, follow=True).content.decode()
    assert EMAIL in revealed and "+1 415 555 0142" in revealed
    record = AccessLog.objects.get(action="pii_accessed")
    assert (record.actor, record.sensitivity, record.object_id) == (staff["compliance"], "high", str(chat_with_pii.pk))
    assert record.tenant == chat_with_pii.tenant and "reason" not in record.path
    assert record.reason == "complaint follow-up"


@pytest.mark.parametrize("role", ["admin", "support", "compliance"])
def test_every_detail_view_writes_exactly_one_access_record(console_as, staff, chat_with_pii, role):
    client = console_as(staff[role])
    client.get(detail(chat_with_pii), HTTP_USER_AGENT="Firefox/130", REMOTE_ADDR="203.0.113.7")
    (record,) = AccessLog.objects.all()
    assert (record.actor, record.actor_ref, record.action, record.object_type) == (
        staff[role],
        hash_of("email", staff[role].email),
        "viewed",
        "conversations.conversation",
    )
    assert (record.ip_address, record.user_agent) == ("203.0.113.7", "Firefox/130")
    client.get(detail(chat_with_pii))
    assert AccessLog.objects.count() == 2


def test_lists_are_masked_for_everyone(console_as, staff, chat_with_pii):
    for role in ("support", "compliance"):
        html = console_as(staff[role]).get(reverse("admin:conversations_conversation_changelist")).content.decode()
        assert "c•••@acme.test" in html and "colleague@acme.test" not in html
        messages = console_as(staff[role]).get(reverse("admin:conversations_message_changelist")).content.decode()
        assert EMAIL not in messages and "[email]" in messages


def test_a_message_page_is_masked_and_recorded_too(console_as, staff, chat_with_pii):
    message = chat_with_pii.messages.get()
    html = console_as(staff["support"]).get(reverse("admin:conversations_message_change", args=[message.pk])).content
    assert EMAIL not in html.decode()
    assert AccessLog.objects.get().object_type == "conversations.message"


def test_the_console_cannot_edit_conversations(console_as, staff, chat_with_pii):
    client = console_as(staff["admin"])
    assert client.get(reverse("admin:conversations_conversation_add")).status_code == 403
    response = client.post(reverse("admin:conversations_conversation_delete", args=[chat_with_pii.pk]), {"post": "yes"})
    assert response.status_code == 403


def test_a_refused_detail_view_writes_no_access_record(console_as, staff, chat_with_pii):
    """An approver may not open conversations: the 403 leaves no record of a view that never happened."""
    response = console_as(staff["approver"]).get(detail(chat_with_pii))
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_a_list_page_writes_one_record_naming_its_rows(console_as, staff, chat_with_pii):
    html = console_as(staff["support"]).get(reverse("admin:conversations_conversation_changelist")).content.decode()
    assert "priya" not in html
    record = AccessLog.objects.get()
    assert (record.actor, record.object_id, record.object_ids) == (staff["support"], "list", [str(chat_with_pii.pk)])
