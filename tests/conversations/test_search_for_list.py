"""The console's list searches in the forms conversations.search.for_list gives: the same conversations as the
union `matching` makes, read in order (each tested as the list is read) or taken by id, and counted by the union
or by the ids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import search
from conversations.models import Conversation
from conversations.search import for_list, matching
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


def sql(condition) -> str:
    return str(Conversation.objects.filter(condition).query)


@pytest.mark.django_db
@pytest.mark.parametrize("term", [*TERMS, "ffffffff"])
def test_it_lists_and_counts_what_the_union_finds_in_the_tenant_and_in_every_tenant(found_by_each, tenant, term):
    for tenant_id in (tenant.pk, None):
        listed, counted = for_list(term, tenant_id)
        assert found(listed) == found(counted) == found(matching(term, tenant_id))


@pytest.mark.django_db
def test_a_short_id_still_finds_its_conversation(found_by_each, tenant):
    talk = found_by_each[1]
    assert found(for_list(str(talk.pk)[:8], tenant.pk)[0]) == {talk.pk}


@pytest.mark.django_db
def test_a_name_is_read_in_order_and_counted_by_the_union(found_by_each, tenant):
    listed, counted = for_list("Quinn", tenant.pk)
    assert '"user_id" IN' in sql(listed) and "UNION" not in sql(listed) and "EXISTS" not in sql(listed)
    assert "UNION" in sql(counted)


@pytest.mark.django_db
def test_words_that_name_nobody_are_listed_and_counted_by_their_few_conversations_ids(found_by_each, tenant):
    listed, counted = for_list("invoice", tenant.pk)
    assert listed == counted and "conversations_message" not in sql(listed) and '"user_id" IN' not in sql(listed)
    assert found(listed) == {found_by_each[1].pk}
    assert not found(for_list("nothing like this", tenant.pk)[0])


@pytest.mark.django_db
def test_words_in_more_conversations_than_are_taken_by_id_are_read_in_order(found_by_each, tenant, monkeypatch):
    monkeypatch.setattr(search, "FEW_BY_ID", 0)
    listed, counted = for_list("invoice", tenant.pk)
    assert "conversations_message" in sql(listed) and "UNION" not in sql(listed) and "UNION" in sql(counted)
    assert found(listed) == {found_by_each[1].pk}


@pytest.mark.postgres("the planner's estimate chooses the form")
@pytest.mark.django_db
@pytest.mark.parametrize("term", TERMS)
def test_words_the_planner_expects_in_many_messages_are_looked_for_in_each_conversation(
    found_by_each, tenant, term, monkeypatch
):
    monkeypatch.setattr(search, "WORDS_HASHED", -1)  # every estimate is "many" here

    listed, counted = for_list(term, tenant.pk)

    assert found(listed) == found(counted) == found(matching(term, tenant.pk))
    if "@" not in term and not term.startswith("+"):
        assert "EXISTS" in sql(listed) and "UNION" not in sql(listed) and "UNION" in sql(counted)


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
