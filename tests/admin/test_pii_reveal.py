"""Revealing personal data in the console: the reason goes by POST (with its CSRF token), never in a URL or a log
line; the access record keeps it; the revealed page is shown once, so a reload, a shared link or the old
`?show_pii=1&reason=` query string reveals nothing."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from conversations import thread
from tenants.models import AccessLog
from tests.factories import ConversationFactory

EMAIL, PHONE_SHOWN = "priya.shah@acme.test", "+1 415 555 0142"
# Its mark is a word no id, timestamp or timing in a URL or a DEBUG log line can hold by chance ("4471" once matched
# one of them).
MARK = "Quokkatoast"
REASON = f"Customer {MARK} asked for a copy of the chat"


def change_url(conversation):
    return reverse("admin:conversations_conversation_change", args=[conversation.pk])


def reveal_url(conversation):
    return reverse("admin:conversations_conversation_reveal", args=[conversation.pk])


@pytest.fixture
def compliance(client, staff):
    client.force_login(staff["compliance"])
    return client


def test_the_panel_posts_the_reason_with_a_csrf_token(compliance, chat_with_pii):
    html = compliance.get(change_url(chat_with_pii)).content.decode()
    assert f'method="post" action="{reveal_url(chat_with_pii)}"' in html
    panel = html[html.index('data-testid="pii-panel"') :]
    assert "csrfmiddlewaretoken" in panel[: panel.index("</form>")]


def test_a_reveal_by_post_shows_the_page_once_and_records_the_reason(compliance, staff, chat_with_pii):
    response = compliance.post(reveal_url(chat_with_pii), {"reason": REASON})
    assert response.status_code == 302 and REASON.split()[0] not in response["Location"]
    revealed = compliance.get(response["Location"]).content.decode()
    assert EMAIL in revealed and PHONE_SHOWN in revealed
    record = AccessLog.objects.get(action="pii_accessed")
    assert (record.actor, record.sensitivity, record.object_id) == (staff["compliance"], "high", str(chat_with_pii.pk))
    assert record.reason == REASON
    assert "Customer" not in record.path and "reason" not in record.path


def test_a_reload_of_the_revealed_page_reveals_nothing(compliance, chat_with_pii):
    location = compliance.post(reveal_url(chat_with_pii), {"reason": REASON})["Location"]
    assert EMAIL in compliance.get(location).content.decode()
    again = compliance.get(location).content.decode()
    assert EMAIL not in again and "[email]" in again
    assert "masked again" in again
    assert AccessLog.objects.filter(action="pii_accessed").count() == 1


def test_the_revealed_link_in_another_session_reveals_nothing(compliance, staff, chat_with_pii):
    location = compliance.post(reveal_url(chat_with_pii), {"reason": REASON})["Location"]
    colleague = Client()
    colleague.force_login(staff["compliance"])
    assert EMAIL not in colleague.get(location).content.decode()
    assert not AccessLog.objects.filter(action="pii_accessed").exists()


def test_a_reveal_is_for_the_object_it_was_asked_for(compliance, tenant, colleague, chat_with_pii):
    other = ConversationFactory(user=colleague)
    location = compliance.post(reveal_url(chat_with_pii), {"reason": REASON})["Location"]
    token_query = location[location.index("?") :]
    html = compliance.get(change_url(other) + token_query).content.decode()
    assert "colleague@acme.test" not in html
    assert not AccessLog.objects.filter(action="pii_accessed").exists()


def test_the_old_query_string_reveals_nothing(compliance, chat_with_pii):
    html = compliance.get(change_url(chat_with_pii) + "?show_pii=1&reason=complaint+follow-up").content.decode()
    assert EMAIL not in html and PHONE_SHOWN not in html
    assert AccessLog.objects.get().action == "viewed"


def test_a_get_to_the_reveal_address_is_refused(compliance, chat_with_pii):
    assert compliance.get(reveal_url(chat_with_pii) + "?reason=audit").status_code == 405
    assert not AccessLog.objects.exists()


def test_a_reveal_needs_the_csrf_token(staff, chat_with_pii):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["compliance"])
    assert browser.post(reveal_url(chat_with_pii), {"reason": REASON}).status_code == 403
    page = browser.get(change_url(chat_with_pii))
    token = page.cookies["csrftoken"].value
    response = browser.post(reveal_url(chat_with_pii), {"reason": REASON, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert EMAIL in browser.get(response["Location"]).content.decode()


def test_a_reveal_without_a_reason_stays_masked_and_says_why(compliance, chat_with_pii):
    response = compliance.post(reveal_url(chat_with_pii), {"reason": "  "}, follow=True)
    html = response.content.decode()
    assert EMAIL not in html and "Say why you need to see personal data" in html
    assert not AccessLog.objects.filter(action="pii_accessed").exists()


def test_someone_without_view_pii_is_told_and_nothing_is_revealed(console_as, staff, chat_with_pii):
    response = console_as(staff["support"]).post(reveal_url(chat_with_pii), {"reason": REASON}, follow=True)
    html = response.content.decode()
    assert EMAIL not in html and "You may not view this tenant" in html
    assert not AccessLog.objects.filter(action="pii_accessed").exists()


@pytest.mark.slow
def test_the_reason_is_in_no_url_and_no_log_line(compliance, chat_with_pii, caplog):
    caplog.set_level(logging.DEBUG)
    response = compliance.post(reveal_url(chat_with_pii), {"reason": REASON}, follow=True)
    assert EMAIL in response.content.decode()
    urls = [url for url, _ in response.redirect_chain] + [response.request["PATH_INFO"]]
    urls += [response.request.get("QUERY_STRING", "")]
    assert all(MARK not in url for url in urls), urls
    assert all(MARK not in record.getMessage() for record in caplog.records)
    assert all(MARK not in (row.path or "") for row in AccessLog.objects.all())


def test_a_message_page_reveals_by_post_too(compliance, chat_with_pii):
    message = chat_with_pii.messages.get()
    url = reverse("admin:conversations_message_reveal", args=[message.pk])
    location = compliance.post(url, {"reason": REASON})["Location"]
    assert EMAIL in compliance.get(location).content.decode()
    assert AccessLog.objects.get(action="pii_accessed").object_type == "conversations.message"


def test_a_revealed_thread_turns_its_pages_by_post_with_the_same_reason(compliance, chat_with_pii):
    from tests.admin.test_conversation_thread import say

    for n in range(thread.PAGE_SIZE + 1):
        say(chat_with_pii, f"message number {n:03d}")
    location = compliance.post(reveal_url(chat_with_pii), {"reason": REASON})["Location"]
    html = compliance.get(location).content.decode()
    earlier = html[html.index('data-testid="thread-pages"') :]
    earlier = earlier[: earlier.index("</nav>")]
    assert 'form="wk-reveal-page" name="page" value="1"' in earlier
    assert f'<form id="wk-reveal-page" method="post" action="{reveal_url(chat_with_pii)}"' in html
    assert "href=" not in earlier  # no link that would carry the reveal in its address
    response = compliance.post(reveal_url(chat_with_pii), {"reason": REASON, "page": "1"})
    assert "page=1" in response["Location"]
    first_page = compliance.get(response["Location"]).content.decode()
    assert EMAIL in first_page  # the first message, on page 1, revealed
    assert list(AccessLog.objects.filter(action="pii_accessed").values_list("reason", flat=True)) == [REASON, REASON]
