"""Two ratings of one conversation at once, on PostgreSQL, each on its own connection: exactly one is taken."""

import pytest

from analytics.models import EventType, PlatformEvent
from conversations import satisfaction
from conversations.models import SatisfactionSurvey
from tests.concurrency import at_once
from tests.satisfaction.conftest import conversation_on, resolve

pytestmark = pytest.mark.postgres("two ratings at once, each on its own connection")


def rating(survey_id, score):
    """One person's click: the survey as each request reads it, then `rate`; the score taken or the refusal's code."""

    def call():
        survey = SatisfactionSurvey.objects.select_related("conversation__user").get(pk=survey_id)
        try:
            return satisfaction.rate(survey, score).score
        except satisfaction.RatingRefused as refused:
            return refused.code

    return call


@pytest.mark.parametrize("round_", range(3))
def test_two_ratings_at_once_one_wins(postgres_only, customer, support, round_):
    survey = resolve(conversation_on("chat", customer, support), support).satisfaction

    results = at_once(rating(survey.pk, 2), rating(survey.pk, 5))

    assert sorted(results, key=str) in ([2, "already_rated"], [5, "already_rated"])
    winner = next(r for r in results if isinstance(r, int))
    survey.refresh_from_db()
    assert survey.score == winner
    (event,) = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED)
    assert event.metadata["score"] == winner


def test_two_asks_at_once_ask_once(postgres_only, customer, support):
    conversation = conversation_on("chat", customer, support)
    conversation.user = customer

    def ask():
        return satisfaction.ask(conversation)

    results = at_once(ask, ask)
    assert sum(result is not None for result in results) == 1
    assert SatisfactionSurvey.objects.filter(conversation=conversation).count() == 1
    assert PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_ASKED).count() == 1
