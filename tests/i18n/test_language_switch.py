"""The language switch in the console's user menu and on the chat page: it saves the person's own choice
(User.language, what the console, the chat pages and the emails read) and the browser's cookie."""

import pytest
from django.conf import settings
from django.urls import reverse

from tenants.roles import Role
from tests.factories import UserFactory

SWITCH = reverse("set_language")


@pytest.fixture
def approver_in_spanish(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, language="es")


def test_the_console_user_menu_offers_every_language_and_posts_to_the_switch(console_as, approver_in_spanish):
    html = console_as(approver_in_spanish).get(reverse("admin:index")).content.decode()
    assert html.count(f'action="{SWITCH}"') == len(settings.LANGUAGES)
    for code, _ in settings.LANGUAGES:
        assert f'name="language" type="hidden" value="{code}"' in html
    assert "English" in html and "español" in html


def test_switching_saves_the_persons_language_and_the_cookie(console_as, approver_in_spanish):
    client = console_as(approver_in_spanish)
    queue = reverse("admin:hitl_hitlapproval_changelist")
    response = client.post(SWITCH, {"language": "en", "next": queue})
    assert response.status_code == 302 and response["Location"] == queue
    approver_in_spanish.refresh_from_db()
    assert approver_in_spanish.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(queue)
    assert page["Content-Language"] == "en" and "Waiting for me" in page.content.decode()

    client.post(SWITCH, {"language": "es"}, HTTP_REFERER=queue)  # the menu's form names no `next`: back where it was
    approver_in_spanish.refresh_from_db()
    assert approver_in_spanish.language == "es"
    assert client.get(queue)["Content-Language"] == "es"


def test_an_unknown_language_changes_nothing(console_as, approver_in_spanish):
    console_as(approver_in_spanish).post(SWITCH, {"language": "xx", "next": "/admin/"})
    approver_in_spanish.refresh_from_db()
    assert approver_in_spanish.language == "es"


def test_the_switch_takes_only_a_post(console_as, approver_in_spanish):
    assert console_as(approver_in_spanish).get(SWITCH + "?language=en").status_code == 405


def test_before_signing_in_the_switch_sets_the_cookie_only(client):
    response = client.post(SWITCH, {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert client.get("/accounts/login/")["Content-Language"] == "es"


def test_the_chat_page_has_the_switch_too(client, tenant):
    member = UserFactory(tenant=tenant, role=Role.MEMBER, language="en")
    client.force_login(member)
    html = client.get("/widget/").content.decode()
    assert f'action="{SWITCH}"' in html and 'value="/widget/"' in html
    assert 'value="es" lang="es">español</button>' in html
    client.post(SWITCH, {"language": "es", "next": "/widget/"})
    member.refresh_from_db()
    assert member.language == "es"
    assert '<html lang="es">' in client.get("/widget/").content.decode()
