"""The inbox's All and channel counts come from the cache (conversations.inbox_totals) and stay right: a new or
deleted conversation drops them for its tenant, a change of status or holder does not need to; the boxes are
counted every time."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import inbox, inbox_totals
from tests.factories import ConversationFactory, TenantFactory, UserFactory


@pytest.fixture(autouse=True)
def cached(settings):
    settings.INBOX_TOTALS_CACHE_SECONDS = 300
    cache.clear()


def counted(user) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        numbers = inbox.counts(user)
    return numbers, len(captured)


def test_the_totals_are_read_once_and_follow_new_and_deleted_conversations(tenant, support):
    person = UserFactory(tenant=tenant)
    ConversationFactory(user=person, channel="chat")
    inbox.counts(support)  # the viewer's permissions, read once a request
    cache.clear()
    first, cold = counted(support)
    again, warm = counted(support)
    assert (first["all"], first["chat"]) == (again["all"], again["chat"]) == (1, 1) and warm == cold - 1
    email = ConversationFactory(user=person, channel="email")
    assert (inbox.counts(support)["all"], inbox.counts(support)["email"]) == (2, 1)
    email.delete()
    assert (inbox.counts(support)["all"], inbox.counts(support)["email"]) == (1, 0)


def test_the_boxes_are_exact_while_the_totals_are_kept(tenant, support):
    conversation = ConversationFactory(user=UserFactory(tenant=tenant), channel="chat")
    assert inbox.counts(support)["unassigned"] == 1
    conversation.held_by = support
    conversation.save(update_fields=["held_by"])
    numbers = inbox.counts(support)
    assert (numbers["mine"], numbers["unassigned"], numbers["all"]) == (1, 0, 1)
    conversation.status = "closed"
    conversation.held_by = None
    conversation.save(update_fields=["status", "held_by"])
    numbers = inbox.counts(support)
    assert (numbers["mine"], numbers["unassigned"], numbers["all"]) == (0, 0, 1)


def test_another_tenants_new_conversation_leaves_this_tenants_entry(tenant, support):
    ConversationFactory(user=UserFactory(tenant=tenant))
    inbox.counts(support)
    ConversationFactory(user=UserFactory(tenant=TenantFactory(slug="globex")))
    assert cache.get(inbox_totals._key(str(tenant.pk))) == inbox_totals._count(support)
    assert inbox.counts(support)["all"] == 1
