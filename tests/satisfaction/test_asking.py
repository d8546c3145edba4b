"""The ask: once per conversation, on its channel, recorded; rate's rules whatever the channel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import EventType, PlatformEvent
from conversations import satisfaction
from conversations.models import ConversationEvent, Message, SatisfactionSurvey
from tests.satisfaction.conftest import conversation_on, resolve


def test_resolving_asks_once_recorded_and_as_an_event_of_the_conversation(customer, support):
    conversation = resolve(conversation_on("chat", customer, support), support)

    survey = SatisfactionSurvey.objects.get(conversation=conversation)
    assert (survey.channel, survey.score, survey.tenant_id) == ("chat", None, conversation.tenant_id)
    asked = ConversationEvent.objects.get(conversation=conversation, event_type="satisfaction_asked")
    assert asked.payload["scores"] == [1, 2, 3, 4, 5] and "1 (poor) to 5 (excellent)" in asked.payload["text"]
    (event,) = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_ASKED)
    assert (event.conversation_id, event.subject_id, event.user) == (conversation.pk, survey.pk, customer)

    assert satisfaction.ask(conversation) is None  # once per conversation: nothing more is asked or recorded
    assert SatisfactionSurvey.objects.count() == 1
    assert ConversationEvent.objects.filter(event_type="satisfaction_asked").count() == 1
    assert PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_ASKED).count() == 1
    assert not Message.objects.filter(conversation=conversation, sender_type="system").exists()  # chat: the event


def test_the_ask_is_in_the_persons_language(customer, support):
    customer.language = "es"
    customer.save(update_fields=["language"])
    conversation = resolve(conversation_on("chat", customer, support), support)
    asked = ConversationEvent.objects.get(conversation=conversation, event_type="satisfaction_asked")
    assert asked.payload["text"] == "¿Qué tal lo hicimos? Valora esta conversación de 1 (mala) a 5 (excelente)."


@pytest.fixture
def survey(customer, support):
    return resolve(conversation_on("api", customer, support), support).satisfaction


def test_a_rating_is_stored_and_recorded_for_the_metrics(survey, customer):
    satisfaction.rate(survey, 4)
    survey.refresh_from_db()
    assert (survey.score, survey.rated_at is not None) == (4, True)
    (event,) = PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED)
    assert (event.metadata["score"], event.metadata["channel"], event.user) == (4, "api", customer)
    assert event.conversation_id == survey.conversation_id


@pytest.mark.parametrize("score", [0, 6, -1, 42, True, "4", 4.5, None])
def test_a_score_out_of_range_is_refused_politely_and_the_rating_stays_open(survey, score):
    with pytest.raises(satisfaction.RatingRefused) as refused:
        satisfaction.rate(survey, score)
    assert refused.value.code == "out_of_range"
    assert refused.value.detail == "Please rate with a whole number from 1 (poor) to 5 (excellent)."
    assert satisfaction.rate(survey, 5).score == 5  # still open


def test_a_second_rating_is_refused_politely_and_the_first_stays(survey):
    satisfaction.rate(survey, 2)
    with pytest.raises(satisfaction.RatingRefused) as refused:
        satisfaction.rate(survey, 5)
    assert refused.value.code == "already_rated"
    assert refused.value.detail == "You have already rated this conversation 2 of 5. Thank you!"
    survey.refresh_from_db()
    assert survey.score == 2
    assert PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED).count() == 1


def test_a_late_rating_is_refused_politely(survey, settings):
    settings.SATISFACTION_WINDOW_HOURS = 72
    just_in_time = survey.asked_at + timedelta(hours=72)
    late = survey.asked_at + timedelta(hours=72, seconds=1)
    with pytest.raises(satisfaction.RatingRefused) as refused:
        satisfaction.rate(survey, 3, now=late)
    assert refused.value.code == "late"
    assert refused.value.detail == "Thank you, but ratings for this conversation closed 72 hours after we asked."
    assert not PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_RATED).exists()
    assert satisfaction.rate(survey, 3, now=just_in_time).score == 3


def test_refusals_speak_the_persons_language(survey, customer):
    customer.language = "es"
    customer.save(update_fields=["language"])
    with pytest.raises(satisfaction.RatingRefused) as refused:
        satisfaction.rate(survey, 9)
    assert refused.value.detail == "Valora con un número entero del 1 (mala) al 5 (excelente), por favor."


def test_only_the_persons_own_conversation_can_be_rated(survey, outsider, tenant_admin):
    for someone in (outsider, tenant_admin):
        with pytest.raises(satisfaction.RatingRefused) as refused:
            satisfaction.survey_of(someone, survey.conversation_id)
        assert refused.value.code == "not_found"


def test_the_signed_link_names_its_survey_and_a_forged_one_nothing(survey):
    token = satisfaction.rating_token(survey)
    assert satisfaction.survey_for_token(token) == survey
    path = satisfaction.rating_url(survey).split("/rate/")[1]  # signed again, maybe in the next second
    assert path.endswith("/") and satisfaction.survey_for_token(path.rstrip("/")) == survey
    assert satisfaction.survey_for_token(token[:-2] + "xx") is None
    assert satisfaction.survey_for_token("nonsense") is None
    assert timezone.now() - survey.asked_at < timedelta(minutes=1)
