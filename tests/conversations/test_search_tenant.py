"""The console's and the member's search read one tenant's people and messages when they are given its id: a name
or a word common to many tenants does not fetch every tenant's conversations for the list's filter to drop."""

import pytest
from django.urls import reverse

from conversations import search
from conversations.models import Conversation
from conversations.search import matching
from tests.factories import ConversationFactory, MessageFactory, UserFactory


@pytest.fixture
def two_abbotts(tenant, other_tenant):
    ours = ConversationFactory(user=UserFactory(tenant=tenant, last_name="Abbott"))
    theirs = ConversationFactory(user=UserFactory(tenant=other_tenant, last_name="Abbott"))
    MessageFactory(conversation=ours, text="the invoice please")
    MessageFactory(conversation=theirs, text="the invoice please")
    return ours, theirs


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Abbott", "invoice"])
def test_a_tenants_search_reads_only_its_people_and_messages(two_abbotts, tenant, term):
    ours, theirs = two_abbotts
    everywhere = Conversation.objects.all()  # no tenant filter: the condition alone must keep the tenant
    assert list(everywhere.filter(matching(term, tenant.pk))) == [ours]
    assert set(everywhere.filter(matching(term))) == {ours, theirs}  # the platform's search reads every tenant


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["support", "platform"])
def test_the_console_searches_the_readers_tenant_and_the_platform_every_tenant(
    two_abbotts, tenant, console_as, staff, superuser, monkeypatch, reader
):
    asked = []

    def spy(term, tenant_id=None):
        asked.append(tenant_id)
        return matching(term, tenant_id)

    monkeypatch.setattr(search, "matching", spy)
    person = staff["support"] if reader == "support" else superuser
    page = console_as(person).get(reverse("admin:conversations_conversation_changelist"), {"q": "Abbott"})
    assert page.status_code == 200
    assert asked == [tenant.pk if reader == "support" else None]
