"""The question stays in the closed conversation (issue 50, point 5): a member who was not looking when support
resolved it finds it in the conversation's history until they answer or it expires, and their late-found answer is
counted like any other."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import EventType, PlatformEvent
from channels_app.chat import route, session
from conversations.models import SatisfactionSurvey
from tenants.privacy.audit import Origin
from tests.satisfaction.conftest import conversation_on, resolve

ASKED = "How did we do? Rate this conversation from 1 (poor) to 5 (excellent)."


@pytest.fixture
def resolved(customer, support):
    """A chat conversation support resolved while its member was away: asked, never shown."""
    return resolve(conversation_on("chat", customer, support), support)


def history(conversation, customer):
    return session.history(conversation, reader=customer, origin=Origin())


def test_a_closed_conversations_history_holds_the_question_still_open(resolved, customer):
    frame = history(resolved, customer)
    assert frame["open"] is False
    assert frame["satisfaction"] == {"text": ASKED, "scores": [1, 2, 3, 4, 5]}


def test_the_question_is_in_the_persons_language(resolved, customer):
    customer.language = "es"
    customer.save(update_fields=["language"])
    assert history(resolved, customer)["satisfaction"]["text"].startswith("¿Qué tal lo hicimos?")


def test_once_answered_the_history_holds_the_answer_not_the_question(resolved, customer):
    assert route.rate(customer, 4, resolved.pk)["type"] == "rated"
    assert history(resolved, customer)["satisfaction"] == {
        "text": ASKED, "scores": [1, 2, 3, 4, 5], "score": 4, "thanks": "Thank you! You rated this conversation 4 of 5."
    }  # fmt: skip


def test_an_expired_question_is_gone_from_the_history(resolved, customer, settings):
    long_ago = timezone.now() - timedelta(hours=settings.SATISFACTION_WINDOW_HOURS, minutes=1)
    SatisfactionSurvey.objects.filter(conversation=resolved).update(asked_at=long_ago)
    assert "satisfaction" not in history(resolved, customer)


def test_a_conversation_never_asked_has_no_question(customer, support):
    assert "satisfaction" not in history(conversation_on("chat", customer, support), customer)


def test_the_answer_given_later_from_the_history_is_counted(resolved, customer):
    asked = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_ASKED)
    rated = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED)
    assert (asked.count(), rated.count()) == (1, 0)  # the dashboard's "0 rated of 1 asked" while it waits
    reply = route.rate(customer, 5, history(resolved, customer)["conversation_id"])
    assert (reply["type"], reply["score"]) == ("rated", 5)
    assert (asked.count(), rated.count()) == (1, 1)
    assert rated.get().metadata["score"] == 5
