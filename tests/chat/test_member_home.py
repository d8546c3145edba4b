"""The member's own Walker (issue 36, point 5): /chat/ lists the person's own chat conversations, open and closed,
searchable and a page at a time, with their approvals; /chat/<id>/ opens one of their own and nobody else's; members
land there after signing in; the embed tag moved from the demo page to the tenant's admin page, for its admins."""

import uuid

import pytest
from django.urls import reverse

from channels_app.chat import home
from conversations.models import Conversation
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


def test_the_list_holds_the_members_own_chat_conversations_open_and_closed(
    client, member, teammate, outsider, other_tenant
):
    open_one = said(ConversationFactory(user=member), "How is my Summer Sale doing?")
    closed_one = said(ConversationFactory(user=member, status=Conversation.Status.CLOSED), "Raise the budget")
    said(ConversationFactory(user=member, channel="email"), "By email")  # not the chat: not this page's
    said(ConversationFactory(user=teammate), "A colleague's question")
    said(ConversationFactory(user=outsider), "Another tenant's question")
    client.force_login(member)
    response = client.get(reverse("chat-home"))
    assert response.status_code == 200
    assert set(listed(response)) == {str(open_one.pk), str(closed_one.pk)}
    html = response.content.decode()
    assert "How is my Summer Sale doing?" in html and "Raise the budget" in html
    assert "A colleague&#x27;s question" not in html and "Another tenant" not in html and "By email" not in html
    assert "data-walker-mount" in html and "New conversation" in html
    statuses = {row.conversation.pk: row.conversation.status for row in response.context["rows"]}
    assert statuses == {open_one.pk: "open", closed_one.pk: "closed"}


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


@pytest.mark.parametrize("whose", ["teammate", "outsider", "own email", "nobody"])
def test_anyone_elses_conversation_is_not_found(client, member, teammate, outsider, whose):
    conversation_id = {
        "teammate": lambda: ConversationFactory(user=teammate).pk,
        "outsider": lambda: ConversationFactory(user=outsider).pk,
        "own email": lambda: ConversationFactory(user=member, channel="email").pk,
        "nobody": uuid.uuid4,
    }[whose]()
    client.force_login(member)
    assert client.get(reverse("chat-conversation", args=[conversation_id])).status_code == 404


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
