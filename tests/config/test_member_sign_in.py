"""People who talk to the agents sign in at /accounts/login/ and land in the chat; staff land in the console."""

import pytest
from django.urls import reverse

from tenants.roles import Role
from tests.factories import UserFactory

PASSWORD = "walker-demo-password"


@pytest.fixture
def member(tenant):
    user = UserFactory(tenant=tenant, role=Role.MEMBER, email="member@acme.test")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def approver_with_password(tenant):
    user = UserFactory(tenant=tenant, role=Role.APPROVER, email="approver@acme.test")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_chat_sends_a_signed_out_member_to_the_sign_in_page_not_the_staff_one(client, db):
    response = client.get("/widget/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/widget/"


def test_a_member_signs_in_and_lands_in_the_chat(client, member):
    page = client.get("/accounts/login/?next=/widget/")
    assert page.status_code == 200 and b"Sign in" in page.content and b'href="/admin/"' in page.content
    response = client.post("/accounts/login/", {"login": "member@acme.test", "password": PASSWORD, "next": "/widget/"})
    assert response.status_code == 302 and response["Location"] == "/widget/"
    chat = client.get("/widget/")
    assert chat.status_code == 200 and b"member@acme.test" in chat.content


def test_without_next_a_member_lands_in_the_chat_and_staff_in_the_console(client, member, approver_with_password):
    client.post("/accounts/login/", {"login": "member@acme.test", "password": PASSWORD})
    assert client.get("/", follow=False)["Location"] == reverse("chat-home")
    client.logout()
    response = client.post("/accounts/login/", {"login": "approver@acme.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index") and response.status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(client, member):
    response = client.post("/accounts/login/", {"login": "member@acme.test", "password": "nope"})
    assert response.status_code == 200 and b'data-testid="login-errors"' in response.content
    assert "_auth_user_id" not in client.session


def test_a_member_signing_in_through_the_console_form_ends_in_the_chat_not_a_404(client, member):
    client.post("/accounts/login/", {"login": "member@acme.test", "password": PASSWORD})
    assert client.get("/").status_code == 302
    assert client.get("/", follow=True).status_code == 200


def test_signed_out_visitors_of_the_root_are_asked_to_sign_in(client, db):
    assert client.get("/")["Location"] == reverse("login")


def test_signing_out_returns_to_the_sign_in_page(client, member):
    client.force_login(member)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_the_default_after_sign_in_address_is_not_a_404(client, member, approver_with_password):
    client.force_login(member)
    assert client.get("/accounts/profile/", follow=True).redirect_chain[-1][0] == reverse("chat-home")
    client.force_login(approver_with_password)
    assert client.get("/accounts/profile/", follow=True).redirect_chain[-1][0] == reverse("admin:index")


def test_the_console_sign_in_is_the_same_page_and_return_to_site_opens_the_chat(client, approver_with_password):
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "approver@acme.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/admin/" and response.status_code == 200
    assert b'href="/chat/"' in response.content  # "Return to site": the person's own chat
    chat = client.get("/widget/")
    assert chat.status_code == 200 and b'data-testid="console-link"' in chat.content


def test_members_get_no_console_link_and_the_console_refuses_them(client, member):
    client.post("/accounts/login/", {"login": "member@acme.test", "password": PASSWORD})
    assert client.get("/admin/", follow=True).status_code == 403  # signed in, not staff: refused
    assert b'data-testid="console-link"' not in client.get("/widget/").content


def test_a_wrong_password_never_signs_in_whatever_the_next_page(client, member):
    response = client.post("/accounts/login/?next=/admin/", {"login": "member@acme.test", "password": "nope"})
    assert response.status_code == 200 and b'data-testid="login-errors"' in response.content
    assert "_auth_user_id" not in client.session
