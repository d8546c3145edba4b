"""The member's page follows its thread (issue 50, point 5): the column of conversations and requests is one part of
the page, served alone at /chat/list/ for the page to fetch again when its thread changes, so the requests and the
cards say what the thread says; a card tells the member a rating waits in it; one time zone on the page (point 7)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations import satisfaction
from conversations.models import Conversation, SatisfactionSurvey
from hitl.models import ApprovalStatus, HITLApproval
from tenants.roles import Role
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory


@pytest.fixture
def member(colleague):
    return colleague


def list_part(client, **query):
    response = client.get(reverse("chat-home-list"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_part_shows_the_requests_and_cards_as_they_stand_now(client, member, tenant):
    chat = ConversationFactory(user=member, status=Conversation.Status.WAITING_APPROVAL)
    MessageFactory(conversation=chat, text="Raise the Summer Sale budget to $400 a day")
    approval = HITLApprovalFactory(
        tenant=tenant, requested_by=member, conversation=chat, reference="BR-000301", status="pending",
        action_summary="Raise Summer Sale daily budget to $400.00",
    )  # fmt: skip
    client.force_login(member)
    before = list_part(client)
    assert "<html" not in before and 'data-testid="approval" data-status="pending"' in before
    assert "to $400.00" in before and 'data-testid="conversation-status">Waiting for approval' in before

    HITLApproval.objects.filter(pk=approval.pk).update(
        status=ApprovalStatus.EXECUTED, action_summary="Raise Summer Sale daily budget to $350.00"
    )
    Conversation.objects.filter(pk=chat.pk).update(status=Conversation.Status.OPEN)
    MessageFactory(conversation=chat, direction="outbound", sender_type="system", text="Approved and done: $350.")
    after = list_part(client)
    assert 'data-testid="approval" data-status="executed"' in after and "to $350.00" in after
    assert "$400" not in after.replace("Raise the Summer Sale budget to $400 a day", "")
    assert 'data-testid="conversation-status">Open' in after and "Approved and done: $350." in after


def test_the_list_part_marks_the_conversation_shown_and_keeps_the_search(client, member):
    budget = ConversationFactory(user=member)
    MessageFactory(conversation=budget, text="Raise the budget")
    keywords = ConversationFactory(user=member)
    MessageFactory(conversation=keywords, text="Which keywords moved?")
    client.force_login(member)
    html = list_part(client, conversation=str(budget.pk))
    assert html.count('aria-current="page"') == 1
    assert re.search(rf'data-conversation-id="{budget.pk}"\s+aria-current="page"', html)
    found = list_part(client, q="keywords")
    assert str(keywords.pk) in found and str(budget.pk) not in found
    assert f'href="{reverse("chat-conversation", args=[keywords.pk])}?q=keywords"' in found
    assert 'aria-current="page"' not in list_part(client, conversation="not-an-id")


def test_the_list_part_holds_the_members_own_rows_only(client, member, tenant, outsider):
    teammate = UserFactory(tenant=tenant, role=Role.MEMBER)
    MessageFactory(conversation=ConversationFactory(user=teammate), text="A teammate's question")
    HITLApprovalFactory(tenant=tenant, requested_by=teammate, reference="BR-000999")
    MessageFactory(conversation=ConversationFactory(user=outsider), text="Another tenant's question")
    client.force_login(member)
    html = list_part(client)
    assert "teammate" not in html and "Another tenant" not in html and "BR-000999" not in html
    client.logout()
    response = client.get(reverse("chat-home-list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_names_its_list_part_for_the_thread_to_refresh(client, member):
    client.force_login(member)
    html = client.get(reverse("chat-home")).content.decode()
    assert f'data-home-live="{reverse("chat-home-list")}"' in html
    assert "chat/walker-home.js" in html


def test_the_list_parts_queries_do_not_grow_with_its_rows(client, member, tenant):
    def fill(count):
        for i in range(count):
            conversation = ConversationFactory(user=member, channel=["chat", "whatsapp"][i % 2])
            MessageFactory(conversation=conversation, text=f"question {i}")
            HITLApprovalFactory(tenant=tenant, requested_by=member, conversation=conversation)
            SatisfactionSurvey.objects.create(
                tenant=tenant, conversation=conversation, channel=conversation.channel, asked_at=timezone.now()
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            list_part(client)
        return len(captured)

    client.force_login(member)
    fill(2)
    few = queries()
    fill(8)
    assert queries() == few


@pytest.fixture
def asked(member, tenant):
    """A closed conversation of the member whose rating was asked an hour ago."""
    conversation = ConversationFactory(user=member, status=Conversation.Status.CLOSED)
    MessageFactory(conversation=conversation, text="My ad account is locked")
    return SatisfactionSurvey.objects.create(
        tenant=tenant, conversation=conversation, channel="chat", asked_at=timezone.now() - timedelta(hours=1)
    )


def test_a_card_says_a_rating_waits_in_its_conversation_until_answered(client, member, asked):
    client.force_login(member)
    html = list_part(client)
    assert html.count('data-testid="rating-waits"') == 1 and "Rate it" in html
    satisfaction.rate(asked, 4)
    assert 'data-testid="rating-waits"' not in list_part(client)


def test_a_card_of_another_channel_leaves_the_rating_to_that_channel(client, member, tenant):
    whatsapp = ConversationFactory(user=member, channel="whatsapp", status=Conversation.Status.CLOSED)
    MessageFactory(conversation=whatsapp, text="My ad account is locked")
    SatisfactionSurvey.objects.create(tenant=tenant, conversation=whatsapp, channel="whatsapp")
    client.force_login(member)
    assert 'data-testid="rating-waits"' not in list_part(client)  # rated by a WhatsApp reply, not on this page


def test_a_card_says_nothing_once_the_rating_expired(client, member, asked, settings):
    SatisfactionSurvey.objects.filter(pk=asked.pk).update(
        asked_at=timezone.now() - timedelta(hours=settings.SATISFACTION_WINDOW_HOURS, minutes=1)
    )
    client.force_login(member)
    assert 'data-testid="rating-waits"' not in list_part(client)


def test_a_rating_waits_in_spanish_too(client, member, asked):
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)
    assert "Valórala" in list_part(client)


def test_the_chat_tells_the_time_in_the_zone_the_list_does(client, member, tenant):
    tenant.timezone = "America/Los_Angeles"
    tenant.save(update_fields=["timezone"])
    conversation = ConversationFactory(user=member, last_message_at=timezone.now().replace(hour=17, minute=5))
    client.force_login(member)
    html = client.get(reverse("chat-conversation", args=[conversation.pk])).content.decode()
    assert 'data-walker-time-zone="America/Los_Angeles"' in html
    assert "09:05</time>" in html or "10:05</time>" in html  # the card: 17:05 UTC in Los Angeles (PST or PDT)
