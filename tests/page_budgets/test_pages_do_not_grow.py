"""Every console page and API list a person opens costs the same queries with a few rows as with several times
more (issue 48, point 6): a list or a count read once per page, never once per row. Each page is opened with two
rows of its kind, then with ten, each row's relations filled in differently (people, agents, holders, labels,
approvals)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import Label
from tenants.roles import Role
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory

FEW, MORE = 2, 10


def fill(tenant, agent, staff, start, count):
    """`count` people each with a conversation (asked and answered, labelled, some held) and an approval waiting."""
    label = Label.objects.get_or_create(tenant=tenant, name="Order")[0]
    for n in range(start, start + count):
        person = UserFactory(tenant=tenant, email=f"customer{n}@acme.test", first_name=f"Customer{n}")
        conversation = ConversationFactory(
            user=person, agent=agent, channel=("chat", "api", "whatsapp")[n % 3],
            held_by=staff[Role.SUPPORT] if n % 2 else None,
        )  # fmt: skip
        conversation.labels.add(label)
        asked = MessageFactory(conversation=conversation, text=f"How is campaign {n} doing?")
        MessageFactory(
            conversation=conversation, direction="outbound", sender_type="agent", text="Fine.", in_reply_to=asked,
            metadata={"agent_type": "paid_ads"},
        )  # fmt: skip
        HITLApprovalFactory(
            tenant=tenant, requested_by=person, conversation=conversation, agent=agent,
            estimated_cost=Decimal(100 * n), action_summary=f"Raise campaign {n}'s budget",
        )  # fmt: skip
    return conversation


def queries(client, path) -> int:
    """Cold: the shared cache's reports (the dashboard's, on Redis) are computed, as after any change to the data."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


PAGES = {
    "the console's first page (own work)": lambda last: reverse("admin:index"),
    "the inbox": lambda last: reverse("admin:conversations_conversation_changelist"),
    "the inbox, labelled": lambda last: reverse("admin:conversations_conversation_changelist")
    + f"?labels__id__exact={Label.objects.get(tenant=last.tenant_id, name='Order').pk}",
    "the inbox, searched by a name": lambda last: reverse("admin:conversations_conversation_changelist")
    + "?q=Customer1",
    "the approval queue": lambda last: reverse("admin:hitl_hitlapproval_changelist"),
    "the queue, everything": lambda last: reverse("admin:hitl_hitlapproval_changelist") + "?queue=all",
    "the dashboard": lambda last: reverse("dashboard"),
    "the access log": lambda last: reverse("admin:tenants_accesslog_changelist"),
    "a conversation's page": lambda last: reverse("admin:conversations_conversation_change", args=[last.pk]),
    "the conversations API": lambda last: "/api/conversations/",
    "the approvals API": lambda last: "/api/hitl/approvals/",
    "the conversations report": lambda last: reverse("analytics-conversations"),
    "the approvals report": lambda last: reverse("analytics-hitl"),
}


@pytest.mark.parametrize("page", PAGES)
def test_the_page_costs_the_same_queries_with_more_rows(console_as, tenant, staff, paid_ads, page):
    client = console_as(staff[Role.ADMIN])
    last = fill(tenant, paid_ads, staff, 0, FEW)
    path = PAGES[page](last)
    queries(client, path)  # the first opening fills per-process caches (content types, permissions)
    few = queries(client, path)
    last = fill(tenant, paid_ads, staff, FEW, MORE - FEW)
    MessageFactory.create_batch(MORE, conversation=last, text="and another thing")  # a longer thread too
    assert queries(client, PAGES[page](last)) == few
