"""The member's own Walker (issue 36, point 5): /chat/ lists the person's own conversations on every channel, open
and closed, searchable and a page at a time, with their approvals (the latest, and all of them a page at a time);
/chat/<id>/ opens one of their own and nobody else's, a chat in the chat and another channel's read back; members
land there after signing in; the embed tag moved from the demo page to the tenant's admin page, for its admins."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels_app.chat import home, read_back
from conversations.models import Channel, Conversation, ConversationNote
from tenants.models import AccessLog
from tenants.roles import Role
from tests.factories import ConversationFactory, HITLApprovalFactory, MessageFactory, UserFactory

PASSWORD = "walker-demo-password"


@pytest.fixture
def member(colleague):
    return colleague


@pytest.fixture
def teammate(tenant):
    return UserFactory(tenant=tenant, role=Role.MEMBER, email="teammate@acme.test")


def said(conversation, *texts):
    for text in texts:
        MessageFactory(conversation=conversation, text=text)
    return conversation


def listed(response) -> list[str]:
    return [str(row.conversation.pk) for row in response.context["rows"]]


def test_the_list_holds_the_members_own_conversations_open_and_closed(client, member, teammate, outsider, other_tenant):
    open_one = said(ConversationFactory(user=member), "How is my Summer Sale doing?")
    closed_one = said(ConversationFactory(user=member, status=Conversation.Status.CLOSED), "Raise the budget")
    said(ConversationFactory(user=teammate), "A colleague's question")
    said(ConversationFactory(user=teammate, channel="whatsapp"), "A colleague on WhatsApp")
    said(ConversationFactory(user=outsider), "Another tenant's question")
    said(ConversationFactory(user=member, tenant=other_tenant, channel="email"), "Filed under another tenant")
    client.force_login(member)
    response = client.get(reverse("chat-home"))
    assert response.status_code == 200
    assert set(listed(response)) == {str(open_one.pk), str(closed_one.pk)}
    html = response.content.decode()
    assert "How is my Summer Sale doing?" in html and "Raise the budget" in html
    assert "A colleague" not in html and "Another tenant" not in html and "another tenant" not in html
    assert "data-walker-mount" in html and "New conversation" in html
    statuses = {row.conversation.pk: row.conversation.status for row in response.context["rows"]}
    assert statuses == {open_one.pk: "open", closed_one.pk: "closed"}


def channels_shown(html: str) -> list[str]:
    return re.findall(r'data-testid="conversation-channel"[^>]*>([^<]+)<', html)


def test_the_list_holds_the_members_conversations_on_every_channel_each_with_its_channel(client, member):
    now = timezone.now()
    for minutes, channel in enumerate(["api", "email", "whatsapp", "chat"]):
        at = now + timedelta(minutes=minutes)
        said(ConversationFactory(user=member, channel=channel, last_message_at=at), f"On {channel}")
    client.force_login(member)
    response = client.get(reverse("chat-home"))
    assert [row.conversation.channel for row in response.context["rows"]] == ["chat", "whatsapp", "email", "api"]
    assert channels_shown(response.content.decode()) == ["Chat", "WhatsApp", "Email", "API"]
    member.language = "es"
    member.save(update_fields=["language"])
    assert channels_shown(client.get(reverse("chat-home")).content.decode())[2] == "Correo electrónico"


def test_each_row_is_titled_by_the_first_question_and_shows_the_last_message(client, member):
    conversation = said(ConversationFactory(user=member), "Which keywords moved this week?")
    MessageFactory(conversation=conversation, direction="outbound", sender_type="agent", text="Three moved up.")
    client.force_login(member)
    (row,) = client.get(reverse("chat-home")).context["rows"]
    assert (row.title, row.preview) == ("Which keywords moved this week?", "Three moved up.")


def test_search_finds_the_members_conversations_by_what_was_said(client, member, teammate):
    budget = said(ConversationFactory(user=member), "Raise the Summer Sale budget to $700 a day")
    said(ConversationFactory(user=member), "Which keywords moved this week?")
    said(ConversationFactory(user=teammate), "Raise the budget for the teammate")
    client.force_login(member)
    assert listed(client.get(reverse("chat-home"), {"q": "budget"})) == [str(budget.pk)]
    nothing = client.get(reverse("chat-home"), {"q": "tiramisu"})
    assert listed(nothing) == [] and b"No conversation matches your search." in nothing.content


def test_search_finds_a_whatsapp_conversation_by_its_words(client, member, teammate):
    whatsapp = said(ConversationFactory(user=member, channel="whatsapp"), "Pause the Winter Clearance campaign")
    said(ConversationFactory(user=member), "Which keywords moved this week?")
    said(ConversationFactory(user=teammate, channel="whatsapp"), "Pause the Winter Clearance campaign too")
    client.force_login(member)
    response = client.get(reverse("chat-home"), {"q": "Winter Clearance"})
    assert listed(response) == [str(whatsapp.pk)] and channels_shown(response.content.decode()) == ["WhatsApp"]


def test_the_list_is_paginated(client, member):
    for i in range(home.PAGE_SIZE + 3):
        said(ConversationFactory(user=member), f"question {i}")
    client.force_login(member)
    first, second = client.get(reverse("chat-home")), client.get(reverse("chat-home"), {"page": 2})
    assert len(listed(first)) == home.PAGE_SIZE and len(listed(second)) == 3
    assert not set(listed(first)) & set(listed(second))
    assert client.get(reverse("chat-home"), {"page": "nonsense"}).status_code == 200  # the first page


def test_the_members_approvals_are_listed_with_their_statuses(client, member, teammate, tenant):
    chat = ConversationFactory(user=member)
    HITLApprovalFactory(tenant=tenant, requested_by=member, conversation=chat, reference="BR-000101", status="pending")
    HITLApprovalFactory(tenant=tenant, requested_by=member, reference="BR-000102", status="executed")
    HITLApprovalFactory(tenant=tenant, requested_by=teammate, reference="BR-000103", status="pending")
    client.force_login(member)
    response = client.get(reverse("chat-home"))
    shown = {a.reference: a.get_status_display() for a in response.context["approvals"]}
    assert shown == {"BR-000101": "Pending", "BR-000102": "Executed"}
    html = response.content.decode()
    assert f'href="{reverse("chat-conversation", args=[chat.pk])}">BR-000101' in html and "BR-000103" not in html


def test_a_request_links_to_its_conversation_on_any_channel(client, member, tenant):
    email = ConversationFactory(user=member, channel="email")
    HITLApprovalFactory(tenant=tenant, requested_by=member, conversation=email, reference="BR-000104")
    client.force_login(member)
    html = client.get(reverse("chat-home")).content.decode()
    assert f'href="{reverse("chat-conversation", args=[email.pk])}">BR-000104' in html


def requests_of(member, tenant, count):
    start = timezone.now() - timedelta(days=1)
    return [
        HITLApprovalFactory(
            tenant=tenant, requested_by=member, reference=f"BR-{500 + i:06d}", requested_at=start + timedelta(minutes=i)
        )
        for i in range(count)
    ]


def test_the_page_shows_the_latest_requests_and_links_to_all_of_them(client, member, tenant):
    made = requests_of(member, tenant, home.APPROVALS_SHOWN + 1)
    client.force_login(member)
    response = client.get(reverse("chat-home"))
    assert [a.reference for a in response.context["approvals"]] == [a.reference for a in made[::-1][:10]]
    assert f'href="{reverse("chat-home")}?requests=all"' in response.content.decode()
    made[0].delete()
    assert b"?requests=all" not in client.get(reverse("chat-home")).content  # nothing more to show


def test_all_the_members_requests_are_listed_a_page_at_a_time(client, member, teammate, tenant):
    made = requests_of(member, tenant, home.REQUESTS_PAGE_SIZE + 5)
    HITLApprovalFactory(tenant=tenant, requested_by=teammate, reference="BR-000999")
    client.force_login(member)
    first = client.get(reverse("chat-home"), {"requests": "all"})
    second = client.get(reverse("chat-home"), {"requests": "all", "requests_page": 2})
    shown = [[a.reference for a in response.context["requests_page"]] for response in (first, second)]
    assert shown == [[a.reference for a in made[::-1][:20]], [a.reference for a in made[::-1][20:]]]
    html = first.content.decode()
    assert html.count('data-testid="request"') == 20 and "BR-000999" not in html
    assert "Page 1 of 2" in html and "requests_page=2" in html
    assert "data-walker-mount" not in html  # the requests take the thread's place
    assert client.get(reverse("chat-home"), {"requests": "all", "requests_page": "x"}).status_code == 200


def test_all_requests_show_their_status_in_words_and_their_summary_in_the_readers_language(client, member, tenant):
    HITLApprovalFactory(
        tenant=tenant, requested_by=member, reference="BR-000201", status="rejected", language="en",
        action_data={
            "campaign_id": str(uuid.uuid4()), "campaign_name": "Summer Sale",
            "daily_budget": "700.00", "previous_daily_budget": "500.00",
        },
        action_summary="Raise Summer Sale daily budget from $500.00 to $700.00",
    )  # fmt: skip
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)
    for query in ({}, {"requests": "all"}):
        html = client.get(reverse("chat-home"), query).content.decode().replace("\xa0", " ").replace("&nbsp;", " ")
        assert "Subir el presupuesto diario de Summer Sale de 500,00 US$ a 700,00 US$" in html
        assert "Raise Summer Sale" not in html and "Rechazada" in html


def test_the_pages_queries_do_not_grow_with_its_rows(client, member, tenant):
    """One query per list, not per row: the conversations on every channel, the requests, a read-back thread."""

    def fill(count):
        for i in range(count):
            conversation = ConversationFactory(user=member, channel=["chat", "whatsapp", "email", "api"][i % 4])
            said(conversation, f"question {i}", f"more {i}")
            approval = HITLApprovalFactory(tenant=tenant, requested_by=member, conversation=conversation)
            MessageFactory(
                conversation=conversation, direction="outbound", sender_type="agent", text=f"asked {i}",
                metadata={"agent_type": "paid_ads", "actions": [{"approval_id": str(approval.pk), "reference": "x"}]},
            )  # fmt: skip
        return conversation

    def queries(path, query=None):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, query or {}).status_code == 200
        return len(captured)

    client.force_login(member)
    whatsapp = fill(2)
    few = [
        queries(reverse("chat-home")),
        queries(reverse("chat-home"), {"requests": "all"}),
        queries(reverse("chat-conversation", args=[whatsapp.pk])),
    ]
    for _ in range(5):
        MessageFactory(conversation=whatsapp, text="again")
        approval = HITLApprovalFactory(tenant=tenant, requested_by=member, conversation=whatsapp)
        MessageFactory(
            conversation=whatsapp, direction="outbound", sender_type="agent", text="asked again",
            metadata={"agent_type": "seo", "actions": [{"approval_id": str(approval.pk), "reference": "y"}]},
        )  # fmt: skip
    fill(12)
    many = [
        queries(reverse("chat-home")),
        queries(reverse("chat-home"), {"requests": "all"}),
        queries(reverse("chat-conversation", args=[whatsapp.pk])),
    ]
    assert many == few


def test_a_members_own_conversation_opens_in_the_page(client, member):
    conversation = said(ConversationFactory(user=member, status=Conversation.Status.CLOSED), "An old question")
    client.force_login(member)
    response = client.get(reverse("chat-conversation", args=[conversation.pk]))
    assert response.status_code == 200
    assert f'data-walker-conversation="{conversation.pk}"' in response.content.decode()
    assert 'aria-current="page"' in response.content.decode()


def test_new_asks_the_chat_for_a_new_conversation(client, member):
    client.force_login(member)
    assert 'data-walker-new="1"' in client.get(reverse("chat-home"), {"new": "1"}).content.decode()
    assert "data-walker-new" not in client.get(reverse("chat-home")).content.decode()


def whatsapp_thread(member, tenant):
    """A WhatsApp conversation of the member: their question, the agent's answer with its request, a person's reply,
    the outcome told, and a note of the staff the member never reads."""
    conversation = ConversationFactory(user=member, channel="whatsapp")
    MessageFactory(conversation=conversation, text="Raise the Summer Sale budget to $700 a day")
    approval = HITLApprovalFactory(
        tenant=tenant, requested_by=member, conversation=conversation, reference="BR-000111", status="approved",
        action_summary="Raise Summer Sale daily budget from $500.00 to $700.00",
    )  # fmt: skip
    MessageFactory(
        conversation=conversation, direction="outbound", sender_type="agent", text="I asked an approver: BR-000111.",
        metadata={"agent_type": "seo", "actions": [
            {"approval_id": str(approval.pk), "reference": "BR-000111", "status": "pending", "summary": "old words"}
        ]},
    )  # fmt: skip
    MessageFactory(
        conversation=conversation, direction="outbound", sender_type="human", text="Dana here: approved it.",
        metadata={"author": "Dana Reyes"},
    )  # fmt: skip
    MessageFactory(conversation=conversation, direction="outbound", sender_type="system", text="Approved by Dana.")
    ConversationNote.objects.create(tenant=tenant, conversation=conversation, text="Internal: VIP, be quick")
    return conversation


def test_a_conversation_on_another_channel_is_read_back_on_the_page(client, member, tenant):
    conversation = whatsapp_thread(member, tenant)
    client.force_login(member)
    response = client.get(reverse("chat-conversation", args=[conversation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-walker-mount" not in html and "walker-chat.js" not in html  # no chat to write in
    thread = html[html.index('data-testid="read-only-thread"') :]
    for words in (
        "Raise the Summer Sale budget to $700 a day",
        "I asked an approver: BR-000111.",
        "Dana here: approved it.",
        "Dana Reyes",
        "Approved by Dana.",
        "Raise Summer Sale daily budget from $500.00 to $700.00",  # the request as it stands now
    ):
        assert words in thread
    assert "Internal: VIP" not in html and "old words" not in html
    assert [role for role in re.findall(r'data-role="(\w+)"', thread)] == ["user", "agent", "human", "system"]
    assert "This conversation is on WhatsApp: continue it there, or start a new conversation here." in html
    assert f'href="{reverse("chat-home")}?new=1"' in thread
    assert 'aria-current="page"' in html  # its row in the list
    assert AccessLog.objects.filter(actor=member, object_id=str(conversation.pk)).count() == 1  # a read, as the chat's


def test_the_read_back_thread_speaks_the_readers_language(client, member, tenant):
    conversation = said(ConversationFactory(user=member, channel="email"), "Hola")
    member.language = "es"
    member.save(update_fields=["language"])
    client.force_login(member)
    html = client.get(reverse("chat-conversation", args=[conversation.pk])).content.decode()
    assert "Esta conversación es por correo electrónico: continúala allí o empieza una nueva conversación aquí." in html


def test_every_channel_but_the_chat_says_where_to_go_on():
    for channel in set(Channel.values) - {Channel.CHAT}:
        assert read_back.where_to_go_on(Conversation(channel=channel)).startswith("This conversation ")


@pytest.mark.parametrize(
    "whose", ["teammate", "teammate whatsapp", "outsider", "outsider email", "own in another tenant", "nobody"]
)
def test_anyone_elses_conversation_is_not_found(client, member, teammate, outsider, other_tenant, whose):
    conversation_id = {
        "teammate": lambda: ConversationFactory(user=teammate).pk,
        "teammate whatsapp": lambda: said(ConversationFactory(user=teammate, channel="whatsapp"), "mine").pk,
        "outsider": lambda: ConversationFactory(user=outsider).pk,
        "outsider email": lambda: said(ConversationFactory(user=outsider, channel="email"), "mine").pk,
        "own in another tenant": lambda: ConversationFactory(user=member, tenant=other_tenant, channel="email").pk,
        "nobody": uuid.uuid4,
    }[whose]()
    client.force_login(member)
    response = client.get(reverse("chat-conversation", args=[conversation_id]))
    assert response.status_code == 404 and b"mine" not in response.content


def test_the_page_asks_a_signed_out_visitor_to_sign_in(client, db):
    response = client.get("/chat/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/chat/"


def test_members_land_on_their_chat_after_signing_in_and_console_users_in_the_console(client, member, approver):
    for person in (member, approver):
        person.set_password(PASSWORD)
        person.save()
    client.post(reverse("login"), {"login": member.email, "password": PASSWORD})
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("chat-home")
    client.logout()
    response = client.post(reverse("login"), {"login": approver.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")


def test_the_demo_page_shows_no_embed_tag_and_shares_the_header(client, member):
    client.force_login(member)
    html = client.get(reverse("widget-demo")).content.decode()
    assert "Embed it" not in html and "data-walker-url" not in html
    assert 'data-testid="signed-in-as"' in html and 'data-testid="sign-out"' in html


def test_the_tenants_admins_find_the_embed_tag_on_its_admin_page(client, tenant, tenant_admin, settings):
    settings.PUBLIC_BASE_URL = "https://walker.example.com"
    client.force_login(tenant_admin)
    html = client.get(reverse("admin:tenants_tenant_change", args=[tenant.pk])).content.decode()
    assert 'data-testid="chat-embed-snippet"' in html
    assert "https://walker.example.com/static/widget/walker-chat.js" in html
    assert "wss://walker.example.com/ws/chat/" in html


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.APPROVER, Role.COMPLIANCE])
def test_other_roles_who_may_open_the_tenant_page_do_not_get_the_embed_tag(client, tenant, role):
    client.force_login(UserFactory(tenant=tenant, role=role))
    response = client.get(reverse("admin:tenants_tenant_change", args=[tenant.pk]))
    assert response.status_code == 200 and b"chat-embed-snippet" not in response.content
