"""Email: the ask carries a signed link to a page of 1-5 buttons; a GET never rates, a POST does, once, in time."""

import re
from datetime import timedelta

import pytest
import time_machine

from conversations import satisfaction
from conversations.models import Message, SatisfactionSurvey
from tests.satisfaction.conftest import conversation_on, resolve

pytestmark = pytest.mark.usefixtures("email_settings")


@pytest.fixture
def asked(sendgrid, settings, customer, support):
    settings.PUBLIC_BASE_URL = "https://walker.example.com"
    conversation = resolve(conversation_on("email", customer, support), support)
    return conversation.satisfaction


def text_of(mail) -> str:
    return {part["type"]: part["value"] for part in mail["content"]}["text/plain"]


def test_the_resolution_email_asks_with_a_signed_link(asked, sendgrid, customer):
    (mail,) = sendgrid.mails
    assert mail["personalizations"][0]["to"][0]["email"] == customer.email
    assert "How did we do? Rate this conversation from 1 (poor) to 5 (excellent) below." in text_of(mail)
    # The link carries the second it was signed in: read it from the mail rather than signing another.
    ((link, token),) = re.findall(r"Rate this conversation: (https://walker\.example\.com/rate/(\S+)/)", text_of(mail))
    assert satisfaction.survey_for_token(token) == asked
    html = {part["type"]: part["value"] for part in mail["content"]}["text/html"]
    assert f'href="{link}"' in html
    stored = Message.objects.get(conversation=asked.conversation, sender_type="system")
    assert link not in stored.text and stored.metadata["satisfaction_survey"] == str(asked.pk)  # no token stored


def page(client, survey, **post):
    path = f"/rate/{satisfaction.rating_token(survey)}/"
    return client.post(path, post) if post else client.get(path)


def test_the_page_shows_five_buttons_and_a_get_never_rates(client, asked):
    response = page(client, asked)
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f'name="score" value="{score}"' in body for score in range(1, 6))
    assert response["Referrer-Policy"] == "strict-origin" and "noindex" in response["X-Robots-Tag"]
    asked.refresh_from_db()
    assert asked.score is None


def test_a_button_rates_once_and_a_second_is_refused_politely(client, asked):
    response = page(client, asked, score="5")
    assert response.status_code == 200
    assert "Thank you! You rated this conversation 5 of 5." in response.content.decode()
    assert SatisfactionSurvey.objects.get(pk=asked.pk).score == 5

    again = page(client, asked, score="1")
    assert again.status_code == 409
    assert "You have already rated this conversation 5 of 5. Thank you!" in again.content.decode()
    assert SatisfactionSurvey.objects.get(pk=asked.pk).score == 5
    shown = page(client, asked)  # the link opened again: no buttons, the rating given
    assert 'name="score"' not in shown.content.decode() and "5 of 5" in shown.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "four", ""])
def test_a_score_out_of_range_is_refused_politely_with_the_buttons_again(client, asked, score):
    response = page(client, asked, score=score) if score else client.post(f"/rate/{satisfaction.rating_token(asked)}/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please rate with a whole number from 1 (poor) to 5 (excellent)." in body and 'value="5"' in body
    assert SatisfactionSurvey.objects.get(pk=asked.pk).score is None


def test_a_late_click_is_refused_politely(client, asked, settings):
    with time_machine.travel(asked.asked_at + timedelta(hours=settings.SATISFACTION_WINDOW_HOURS, minutes=1)):
        shown = page(client, asked)
        response = page(client, asked, score="4")
    assert 'name="score"' not in shown.content.decode()
    assert response.status_code == 409
    assert "ratings for this conversation closed 72 hours after we asked" in response.content.decode()
    assert SatisfactionSurvey.objects.get(pk=asked.pk).score is None


def test_a_forged_link_is_refused(client, asked):
    response = client.get(f"/rate/{satisfaction.rating_token(asked)}x/")
    assert response.status_code == 400 and "This link is not valid." in response.content.decode()


def test_the_page_speaks_the_persons_language(client, asked, customer):
    customer.language = "es"
    customer.save(update_fields=["language"])
    response = page(client, asked, score="4")
    assert "¡Gracias! Has valorado esta conversación con 4 de 5." in response.content.decode()
