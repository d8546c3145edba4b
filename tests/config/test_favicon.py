"""A favicon: browsers that ask for /favicon.ico get the icon instead of a 404 logged on every page."""

from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_icon_in_static(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")


def test_the_console_and_the_chat_sign_in_link_the_icon(client, db):
    for page in ("/admin/login/", "/accounts/login/"):  # the first sends to the second
        assert b'rel="icon" href="/static/favicon.svg"' in client.get(page, follow=True).content
