"""A person's sessions page (/accounts/sessions/): the browsers they are signed in on, without any address; one
ended, or all the others at once; another person's never."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client

from tenants.identity.signin.receivers import NO_ADDRESS
from tests.factories import PASSWORD

PAGE = "/accounts/sessions/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def signed_in(user, agent=FIREFOX) -> Client:
    """A browser signed in through the sign-in page, from a client address."""
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.57")
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return browser


def is_signed_in(browser) -> bool:
    return browser.get("/admin/").status_code == 200


def end_url(browser) -> str:
    return f"{PAGE}{UserSession.objects.get(session_key=browser.session.session_key).pk}/end/"


def test_a_sign_in_is_listed_with_its_browser_and_no_address(approver):
    browser = signed_in(approver)
    row = UserSession.objects.get(user=approver)
    assert row.session_key == browser.session.session_key and row.user_agent == FIREFOX
    assert row.ip == NO_ADDRESS
    page = browser.get(PAGE).content.decode()
    assert FIREFOX in page and "This browser" in page and "203.0.113" not in page and NO_ADDRESS not in page


def test_the_page_is_in_spanish_for_a_spanish_reader(approver):
    approver.language = "es"
    approver.save(update_fields=["language"])
    page = signed_in(approver).get(PAGE).content.decode()
    assert "Sesiones" in page and "Este navegador" in page


def test_a_person_ends_one_of_their_other_sessions(approver):
    laptop, phone = signed_in(approver), signed_in(approver, PHONE)
    assert 'data-testid="end-session"' in laptop.get(PAGE).content.decode()
    response = laptop.post(end_url(phone), follow=True)
    assert "That session has ended" in response.content.decode()
    assert not is_signed_in(phone) and is_signed_in(laptop)
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == [FIREFOX]


def test_ending_ones_own_session_signs_this_browser_out(approver):
    laptop = signed_in(approver)
    assert laptop.post(end_url(laptop))["Location"] == "/accounts/login/"
    assert not is_signed_in(laptop) and not UserSession.objects.exists()


def test_another_persons_session_is_not_found_and_stays(approver, second_approver):
    mine, theirs = signed_in(approver), signed_in(second_approver)
    assert mine.post(end_url(theirs)).status_code == 404
    assert is_signed_in(theirs)


def test_ending_is_a_post(approver):
    laptop = signed_in(approver)
    assert laptop.get(end_url(laptop)).status_code == 405 and is_signed_in(laptop)


@pytest.mark.parametrize("session_id", ["999999", "abc"])
def test_an_unknown_session_is_not_found(approver, session_id):
    assert signed_in(approver).post(f"{PAGE}{session_id}/end/").status_code == 404


def test_sign_out_other_sessions_keeps_this_one(approver, second_approver):
    laptop, phone, colleague = signed_in(approver), signed_in(approver, PHONE), signed_in(second_approver)
    laptop.post(PAGE)
    assert is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(colleague)  # another person's sessions are not theirs to end


def test_the_page_needs_a_signed_in_person(client, db):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
