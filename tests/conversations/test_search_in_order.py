"""The console's list searches in the form read in order (conversations.search.in_order): the same conversations
as the union `matching` makes, each tested as the list is read, and the list counted by the union."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import search
from conversations.models import Conversation
from conversations.search import in_order, matching
from tests.factories import ConversationFactory, MessageFactory, PhoneFactory, UserFactory

TERMS = ["Abbott", "abb", "jane.doe@acme.test", "+1 (415) 555-0123", "invoice", "broken tent", "nothing like this"]


@pytest.fixture
def found_by_each(tenant, other_tenant):
    jane = UserFactory(tenant=tenant, email="jane.doe@acme.test", first_name="Jane", last_name="Abbott")
    PhoneFactory(user=jane, phone_number="+14155550123")
    sam = UserFactory(tenant=tenant, first_name="Sam", last_name="Quinn")
    elsewhere = UserFactory(tenant=other_tenant, first_name="Jane", last_name="Abbott")
    talks = [ConversationFactory(user=jane), ConversationFactory(user=sam), ConversationFactory(user=sam),
             ConversationFactory(user=elsewhere)]  # fmt: skip
    MessageFactory(conversation=talks[1], text="the invoice please")
    MessageFactory(conversation=talks[2], text="the tent arrived broken")
    MessageFactory(conversation=talks[3], text="the invoice please, the tent arrived broken")
    return talks


def found(condition) -> set:
    return set(Conversation.objects.filter(condition).values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("term", [*TERMS, "ffffffff"])
def test_it_finds_what_the_union_finds_in_the_tenant_and_in_every_tenant(found_by_each, tenant, term):
    assert found(in_order(term, tenant.pk)) == found(matching(term, tenant.pk))
    assert found(in_order(term)) == found(matching(term))


@pytest.mark.django_db
def test_a_short_id_still_finds_its_conversation(found_by_each, tenant):
    talk = found_by_each[1]
    assert found(in_order(str(talk.pk)[:8], tenant.pk)) == {talk.pk}


@pytest.mark.postgres("the planner's estimate chooses the form")
@pytest.mark.django_db
@pytest.mark.parametrize("term", TERMS)
def test_words_the_planner_expects_in_many_messages_are_looked_for_in_each_conversation(
    found_by_each, tenant, term, monkeypatch
):
    monkeypatch.setattr(search, "WORDS_HASHED", -1)  # every estimate is "many" here

    each = Conversation.objects.filter(in_order(term, tenant.pk))

    assert set(each.values_list("pk", flat=True)) == found(matching(term, tenant.pk))
    if "@" not in term and not term.startswith("+"):
        assert "EXISTS" in str(each.query) and "UNION" not in str(each.query)


@pytest.mark.postgres("the planner's estimate chooses the form")
@pytest.mark.django_db
def test_words_expected_in_few_messages_are_found_once(found_by_each, tenant):
    sql = str(Conversation.objects.filter(in_order("invoice", tenant.pk)).query)
    assert "EXISTS" not in sql and "UNION" not in sql and "conversations_message" in sql


@pytest.mark.django_db
def test_the_console_lists_a_search_in_order_and_counts_it_by_the_union(console_as, staff, tenant):
    abbott = UserFactory(tenant=tenant, last_name="Abbott")
    talks = [ConversationFactory(user=abbott) for _ in range(3)]
    ConversationFactory(user=UserFactory(tenant=tenant, last_name="Quinn"))

    with CaptureQueriesContext(connection) as captured:
        page = console_as(staff["support"]).get(reverse("admin:conversations_conversation_changelist"), {"q": "Abbott"})

    html = page.content.decode()
    assert all(str(talk.pk)[:8] in html for talk in talks) and "3 results" in html
    reads = [
        q["sql"] for q in captured.captured_queries
        if "conversations_conversation" in q["sql"] and not q["sql"].startswith("EXPLAIN")  # PostgreSQL's estimates
    ]  # fmt: skip
    counted = [sql for sql in reads if "COUNT(" in sql and "UNION" in sql]
    listed = [sql for sql in reads if "LIMIT" in sql and "UNION" not in sql and '"user_id" IN' in sql]
    assert len(counted) == 1 and len(listed) == 1
