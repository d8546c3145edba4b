"""The conversation page as a thread (bubbles by sender, local times, approvals linked, paged, masked unless
revealed) and the conversation search (by person or words, never unmasking)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from conversations import thread
from tenants.models import Tenant
from tests.factories import ConversationFactory, MessageFactory, PhoneFactory, UserFactory


def say(conversation, text, *, direction="inbound", sender="customer", at=None, **fields):
    return MessageFactory(
        conversation=conversation,
        direction=direction,
        sender_type=sender,
        text=text,
        created_at=at or timezone.now(),
        **fields,
    )


def page(client, conversation, query=""):
    return client.get(reverse("admin:conversations_conversation_change", args=[conversation.pk]) + query)


@pytest.mark.slow
def test_the_page_is_a_thread_with_local_times_and_approvals_linked(console_as, staff, chat_with_pii, ask_as, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(timezone="America/Los_Angeles")
    asked = say(chat_with_pii, "Raise Summer Sale to $700", at=datetime(2026, 7, 1, 16, 5, tzinfo=UTC))
    approval = ask_as(chat_with_pii.user)
    approval.source_message = asked
    approval.conversation = chat_with_pii
    approval.save(update_fields=["source_message", "conversation"])
    say(chat_with_pii, "Proposed.", direction="outbound", sender="agent", metadata={"agent_type": "paid_ads"})
    say(chat_with_pii, "Approved and done.", direction="outbound", sender="system", status="delivered")
    html = page(console_as(staff["support"]), chat_with_pii).content.decode()
    assert html.count('data-testid="bubble-them"') == 2 and 'data-testid="bubble-agent"' in html
    assert 'data-testid="bubble-system"' in html and "Paid Ads" in html
    assert date_format(datetime(2026, 7, 1, 9, 5), "DATETIME_FORMAT") in html  # 16:05 UTC in Los Angeles
    assert reverse("admin:hitl_hitlapproval_change", args=[approval.pk]) in html and approval.reference in html
    assert "priya.shah@acme.test" not in html and "[email]" in html


def test_a_reveal_with_its_reason_unmasks_the_thread(console_as, staff, chat_with_pii):
    reveal = reverse("admin:conversations_conversation_reveal", args=[chat_with_pii.pk])
    html = console_as(staff["compliance"]).post(reveal, {"reason": "complaint"}, follow=True).content.decode()
    assert "priya.shah@acme.test" in html


def test_a_long_conversation_is_paged_latest_first(console_as, staff, chat_with_pii):
    start = timezone.now() - timedelta(hours=2)
    for n in range(thread.PAGE_SIZE + 5):
        say(chat_with_pii, f"message number {n:03d}", at=start + timedelta(seconds=n))
    client = console_as(staff["support"])
    latest = page(client, chat_with_pii).content.decode()
    assert "message number 054" in latest and "message number 000" not in latest and "Earlier" in latest
    earlier = page(client, chat_with_pii, "?page=1").content.decode()
    assert "message number 000" in earlier and "message number 054" not in earlier


@pytest.fixture
def people(tenant):
    jane = UserFactory(tenant=tenant, email="jane.doe@acme.test", first_name="Jane", last_name="Doe")
    sam = UserFactory(tenant=tenant, email="sam@acme.test", first_name="Sam")
    PhoneFactory(user=jane, phone_number="+14155550123")
    talks = {}
    for person, words in ((jane, "the tent order arrived broken"), (sam, "budget for the summer campaign")):
        talks[person.first_name] = ConversationFactory(user=person)
        say(talks[person.first_name], words)
    return talks


@pytest.mark.parametrize(
    "term, found",
    [
        ("Jane", {"Jane"}),
        ("jane.doe@acme.test", {"Jane"}),
        ("JANE.DOE@ACME.TEST", {"Jane"}),
        ("jane.doe@", set()),  # an email matches whole, or nothing: no guessing at masked data
        ("+1 (415) 555-0123", {"Jane"}),
        ("415 555 01", set()),
        ("broken tent", {"Jane"}),
        ("summer", {"Sam"}),
        ("nothing like this", set()),
    ],
)
def test_search_by_person_or_words_without_unmasking(console_as, staff, people, term, found):
    response = console_as(staff["support"]).get(reverse("admin:conversations_conversation_changelist"), {"q": term})
    html = response.content.decode()
    shown = {name for name, talk in people.items() if str(talk.pk)[:8] in html}
    assert shown == found
    assert "jane.doe@acme.test" not in html.replace(f'value="{term}"', "") and "555 0123" not in html


def test_search_by_the_short_id_the_list_shows(console_as, staff, people):
    talk = people["Sam"]
    html = (
        console_as(staff["support"])
        .get(reverse("admin:conversations_conversation_changelist"), {"q": str(talk.pk)[:8]})
        .content.decode()
    )
    assert str(talk.pk)[:8] in html and str(people["Jane"].pk)[:8] not in html
