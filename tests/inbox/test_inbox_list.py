"""The conversations inbox: tabs and counts per role, rows with names and masked previews, the holder's unread
count, the reply SLA, labels to filter by; never another tenant's rows; one query per page whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.models import AIAgent
from conversations import inbox as inbox_module
from conversations import takeover
from conversations.models import OPEN_STATUSES, Conversation, ConversationRead, Label
from tests.concurrency import at_once
from tests.factories import ConversationFactory, UserFactory
from tests.inbox.conftest import held, wrote

LIST = reverse("admin:conversations_conversation_changelist")


def shown(html, rows):
    return {name for name, row in rows.items() if str(row.pk)[:8] in html}


def count(html, key):
    marker = f'data-testid="inbox-count-{key}">'
    return int(html.split(marker, 1)[1].split("<", 1)[0]) if marker in html else None


@pytest.mark.parametrize(
    "role, mine, tabs",
    [
        ("support", {"held"}, {"mine": 1, "unassigned": 1, "all": 4, "whatsapp": 1, "chat": 2, "email": 1}),
        ("admin", {"admins"}, {"mine": 1, "unassigned": 1, "all": 4, "whatsapp": 1, "chat": 2, "email": 1}),
        ("compliance", None, {"mine": None, "unassigned": 1, "all": 4, "whatsapp": 1, "chat": 2, "api": None}),
    ],
)
def test_tabs_and_counts_per_role(console_as, staff, inbox, role, mine, tabs):
    client = console_as(staff[role])
    html = client.get(LIST).content.decode()
    assert {key: count(html, key) for key in tabs} == tabs
    assert shown(html, inbox) == {"held", "open_chat", "closed_chat", "admins"}  # never "theirs"
    assert 'data-testid="inbox-tab-all" aria-current="page"' in html
    if mine is not None:
        assert shown(client.get(LIST, {"box": "mine"}).content.decode(), inbox) == mine
    assert shown(client.get(LIST, {"box": "unassigned"}).content.decode(), inbox) == {"open_chat"}
    whatsapp = client.get(LIST, {"channel__exact": "whatsapp"}).content.decode()
    assert shown(whatsapp, inbox) == {"held"} and 'data-testid="inbox-tab-whatsapp" aria-current="page"' in whatsapp


def test_rows_name_the_person_and_mask_the_preview(console_as, staff, inbox):
    for role in ("support", "compliance"):
        html = console_as(staff[role]).get(LIST).content.decode()
        assert 'data-testid="inbox-person">Priya Shah<' in html and "p•••@acme.test" in html
        assert "Call me on [phone] or write to [email]" in html and "Is the tent waterproof?" in html
        assert "priya.shah@acme.test" not in html and "555 0142" not in html
        assert "Globex" not in html


def test_the_holders_unread_count_goes_to_zero_when_they_read_it(console_as, support, inbox):
    conversation = inbox["held"]
    wrote(conversation, "Hello?", ago=2)
    client = console_as(support)
    html = client.get(LIST, {"box": "mine"}).content.decode()
    assert '<span data-testid="inbox-unread" class="font-semibold">2</span>' in html
    client.get(reverse("admin:conversations_conversation_change", args=[conversation.pk]))
    html = client.get(LIST, {"box": "mine"}).content.decode()
    assert '<span data-testid="inbox-unread" class="">0</span>' in html
    wrote(conversation, "Still there?")
    assert '"font-semibold">1</span>' in client.get(LIST, {"box": "mine"}).content.decode()


def test_someone_elses_reading_leaves_the_holders_count(console_as, staff, support, inbox):
    wrote(inbox["held"], "Hello?", ago=2)
    console_as(staff["admin"]).get(reverse("admin:conversations_conversation_change", args=[inbox["held"].pk]))
    html = console_as(support).get(LIST, {"box": "mine"}).content.decode()
    assert '"font-semibold">2</span>' in html


def test_the_reply_sla_counts_while_the_customer_waits_on_the_holder(console_as, support, inbox, settings):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    client = console_as(support)
    html = client.get(LIST, {"box": "mine"}).content.decode()
    assert 'data-testid="inbox-sla">due now<' in html  # waiting 20 minutes
    takeover.reply(inbox["held"].pk, actor=support, text="Sorry for the wait, Priya.")
    assert 'data-testid="inbox-sla"' not in client.get(LIST, {"box": "mine"}).content.decode()
    wrote(inbox["held"], "Thanks! One more thing")
    assert 'data-testid="inbox-sla">in 14\xa0minutes<' in client.get(LIST, {"box": "mine"}).content.decode()


def test_a_first_human_reply_is_due_from_the_takeover_when_the_customer_has_not_written_since(
    console_as, support, tenant, settings
):
    settings.INBOX_REPLY_SLA_MINUTES = 15
    conversation = ConversationFactory(user=UserFactory(tenant=tenant))
    wrote(conversation, "Can a person help me?", ago=10)
    held(conversation, support, ago=5)  # taken over after the customer asked: due 15 minutes on (shown floored)
    client = console_as(support)
    assert 'data-testid="inbox-sla">in 9\xa0minutes<' in client.get(LIST, {"box": "mine"}).content.decode()
    takeover.reply(conversation.pk, actor=support, text="Hi, I am here.")
    assert 'data-testid="inbox-sla"' not in client.get(LIST, {"box": "mine"}).content.decode()


def test_a_row_nobody_holds_names_the_agent_answering_it(console_as, support, inbox):
    agent = AIAgent.objects.get(agent_type="seo", is_system_agent=True)
    inbox["open_chat"].agent = agent
    inbox["open_chat"].save(update_fields=["agent"])
    html = console_as(support).get(LIST, {"box": "unassigned"}).content.decode()
    assert f'data-testid="inbox-holder">{agent.name}<' in html
    mine = console_as(support).get(LIST, {"box": "mine"}).content.decode()
    assert 'data-testid="inbox-holder">Support Smith<' in mine


def test_labels_are_shown_and_filtered_and_another_tenants_are_not_offered(console_as, support, inbox, other_tenant):
    refund = Label.objects.create(tenant=support.tenant, name="Refund", colour="#dc2626")
    refund.conversations.add(inbox["held"])
    Label.objects.create(tenant=other_tenant, name="GlobexOnly").conversations.add(inbox["theirs"])
    client = console_as(support)
    html = client.get(LIST).content.decode()
    assert 'color:#ffffff;background:#dc2626">Refund</span>' in html and "GlobexOnly" not in html
    assert shown(client.get(LIST, {"labels__id__exact": refund.pk}).content.decode(), inbox) == {"held"}


def test_another_tenants_or_a_malformed_label_in_the_address_shows_none_of_theirs(
    console_as, support, inbox, other_tenant
):
    globex = Label.objects.create(tenant=other_tenant, name="GlobexOnly")
    globex.conversations.add(inbox["theirs"])
    client = console_as(support)
    assert "theirs" not in shown(client.get(LIST, {"labels__id__exact": globex.pk}).content.decode(), inbox)
    malformed = client.get(LIST, {"labels__id__exact": "not-a-label"})
    assert malformed.status_code in (200, 302) and "GlobexOnly" not in malformed.content.decode()


@pytest.mark.slow
def test_a_page_costs_the_same_for_two_rows_as_for_twelve(console_as, support, tenant):
    client = console_as(support)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for n in range(2):
        wrote(held(ConversationFactory(user=UserFactory(tenant=tenant)), support), f"message {n}")
    few = queries()
    for n in range(10):
        conversation = ConversationFactory(user=UserFactory(tenant=tenant), channel=("chat", "email")[n % 2])
        wrote(held(conversation, support) if n % 3 else conversation, f"message {n}")
        Label.objects.get_or_create(tenant=tenant, name=f"label {n % 2}")[0].conversations.add(conversation)
    assert queries() == few


@pytest.mark.parametrize(
    "query, tab",
    [({}, "all"), ({"box": "mine"}, "mine"), ({"box": "unassigned"}, "unassigned"),
     ({"channel__exact": "chat"}, "chat"), ({"box": "waiting", "o": "2", "p": "1"}, "waiting")],
)  # fmt: skip
def test_a_tabs_list_is_counted_once_by_its_tab(console_as, support, inbox, query, tab):
    """At a big tenant the list's own count read every conversation waiting for a person a second time."""
    with CaptureQueriesContext(connection) as captured:
        response = console_as(support).get(LIST, query)
    html = response.content.decode()

    assert response.context["cl"].paginator.count == count(html, tab) == len(response.context["cl"].result_list)
    assert not [q for q in captured if '"__count"' in q["sql"]]


@pytest.mark.parametrize(
    "query, rows", [({"q": "Priya"}, 1), ({"box": "mine", "channel__exact": "whatsapp"}, 1), ({"box": "nonsense"}, 4)]
)
def test_a_list_that_is_no_tabs_is_counted_itself(console_as, support, inbox, query, rows):
    with CaptureQueriesContext(connection) as captured:
        response = console_as(support).get(LIST, query)

    assert response.context["cl"].paginator.count == len(response.context["cl"].result_list) == rows
    assert [q for q in captured if '"__count"' in q["sql"]]


def test_a_page_holds_25_conversations_and_the_next_the_rest(console_as, support, tenant):
    """As the approval queue: a person works down 25, and each row costs its cells and subqueries."""
    person = UserFactory(tenant=tenant)
    ConversationFactory.create_batch(26, user=person, channel="chat")
    client = console_as(support)

    def rows(**page):
        return client.get(LIST, page).content.decode().count('data-testid="inbox-person"')

    assert (rows(), rows(p=2)) == (25, 1)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_reading_at_once_leave_one_marker(tenant, support):
    conversation = ConversationFactory(user=UserFactory(tenant=tenant))
    at_once(*[lambda: inbox_module.mark_read(conversation, support)] * 4)
    assert ConversationRead.objects.filter(conversation=conversation, user=support).count() == 1


def test_the_open_boxes_index_holds_the_open_conversations():
    index = next(i for i in Conversation._meta.indexes if i.name == "conversation_open_boxes")
    assert index.condition.children == [("status__in", OPEN_STATUSES)]


@pytest.mark.postgres("PostgreSQL's plans")
def test_the_open_boxes_are_counted_from_their_index_alone(support, inbox):
    """A million conversations' open ones lie all over the table: read there, they were most of an inbox page's SQL."""
    with CaptureQueriesContext(connection) as captured:
        counted = inbox_module.boxes(support)
    assert counted == {"waiting": 0, "unassigned": 1, "mine": 1}
    open_boxes = next(q["sql"] for q in captured if "'waiting_approval'" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows are rightly read from the table
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {open_boxes}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using conversation_open_boxes" in plan, plan
