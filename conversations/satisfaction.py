"""Satisfaction (CSAT): once a conversation is resolved, by a person of the tenant or by going quiet after the agents'
answer, its person is asked once, on its channel, to rate it from 1 to 5.

Each channel takes the answer its own way and hands it to `rate`: the chat widget's `rate` frame, a WhatsApp reply
"1"-"5" right after the ask, the signed link of the email (`rating_url`). A rating is taken once, within
SATISFACTION_WINDOW_HOURS of the ask; a score out of range, a late one and a second one are refused with words for
the person, in their language. The score reaches the conversation metrics through the `satisfaction_rated` event.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from analytics.events import record
from analytics.models import EventType
from conversations import delivery, events
from conversations.models import Channel, Conversation, SatisfactionSurvey
from core.errors import WalkerError
from tenants.languages import speaking

SALT = "walker.satisfaction"
SCORES = range(SatisfactionSurvey.LOWEST, SatisfactionSurvey.HIGHEST + 1)
ASK = {
    Channel.WHATSAPP: gettext_lazy("How did we do? Reply with a number from 1 (poor) to 5 (excellent)."),
    Channel.EMAIL: gettext_lazy("How did we do? Rate this conversation from 1 (poor) to 5 (excellent) below."),
}
ASK_ANYWHERE = gettext_lazy("How did we do? Rate this conversation from 1 (poor) to 5 (excellent).")
# Channels the ask is also a message on: the others (chat, API) show the `satisfaction_asked` event itself.
ASKED_BY_MESSAGE = frozenset(ASK)


class RatingRefused(WalkerError):
    """The rating was not taken; `detail` says why to the person. Codes: `out_of_range`, `late`, `already_rated`,
    `not_found`."""


def ask(conversation: Conversation, *, now=None) -> SatisfactionSurvey | None:
    """Ask the conversation's person for a rating, once per conversation: None if they were asked before.

    Call inside the transaction that closed the conversation: the ask is sent after it commits.
    """
    now = now or timezone.now()
    survey, created = SatisfactionSurvey.objects.get_or_create(
        conversation=conversation,
        defaults={"tenant_id": conversation.tenant_id, "channel": conversation.channel, "asked_at": now},
    )
    if not created:
        return None
    person = conversation.user
    text = question(conversation)
    events.publish(
        conversation.pk, events.EventKind.SATISFACTION_ASKED, survey_id=str(survey.pk), text=text, scores=list(SCORES)
    )
    if conversation.channel in ASKED_BY_MESSAGE:
        delivery.send(conversation, text, satisfaction_survey=str(survey.pk))
    record(EventType.SATISFACTION_ASKED, tenant=conversation.tenant_id, user=person, conversation_id=conversation.pk,
           subject_id=survey.pk, channel=conversation.channel)  # fmt: skip
    return survey


def question(conversation: Conversation) -> str:
    """The ask, in the words of the conversation's channel and its person's language."""
    with speaking(conversation.user):
        return str(ASK.get(conversation.channel, ASK_ANYWHERE))


def standing(conversation: Conversation, *, now=None) -> dict | None:
    """The rating as the conversation's history shows it: the question while it is open (it stays in the closed
    conversation until answered or expired), with the score and thanks once answered; None if never asked, or asked
    too long ago and not answered."""
    survey = SatisfactionSurvey.objects.filter(conversation=conversation).first()
    if survey is None:
        return None
    survey.conversation = conversation
    shown = {"text": question(conversation), "scores": list(SCORES)}
    if survey.score is not None:
        return {**shown, "score": survey.score, "thanks": thanks(survey)}
    return shown if refusal(survey, now=now) is None else None


def waiting(*, now=None):
    """The surveys still open: asked within the window and not answered."""
    return SatisfactionSurvey.objects.filter(score__isnull=True, asked_at__gte=(now or timezone.now()) - window())


def rate(survey: SatisfactionSurvey, score, *, now=None) -> SatisfactionSurvey:
    """Take the person's rating: one conditional UPDATE, so of two at once exactly one is taken. RatingRefused
    (its detail in the person's language) for a score out of range, after the window, or a second time."""
    now = now or timezone.now()
    person = survey.conversation.user
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise _refused(person, "out_of_range")
    with transaction.atomic():
        open_one = waiting(now=now).filter(pk=survey.pk)
        taken = open_one.update(score=score, rated_at=now)
        if taken:
            record(EventType.SATISFACTION_RATED, tenant=survey.tenant_id, user=person,
                   conversation_id=survey.conversation_id, subject_id=survey.pk, score=score,
                   channel=survey.channel)  # fmt: skip
    survey.refresh_from_db(fields=["score", "rated_at"])
    if not taken:
        raise refusal(survey, now=now)
    return survey


def refusal(survey: SatisfactionSurvey, *, now=None) -> RatingRefused | None:
    """Why a rating of `survey` would be refused now (rated already, or asked too long ago); None if it is open."""
    now = now or timezone.now()
    if survey.score is not None:
        return _refused(survey.conversation.user, "already_rated", survey)
    if survey.asked_at < now - window():
        return _refused(survey.conversation.user, "late", survey)
    return None


def thanks(survey: SatisfactionSurvey) -> str:
    with speaking(survey.conversation.user):
        return gettext("Thank you! You rated this conversation %(score)s of 5.") % {"score": survey.score}


def _refused(person, code: str, survey: SatisfactionSurvey | None = None) -> RatingRefused:
    with speaking(person):
        if code == "out_of_range":
            detail = gettext("Please rate with a whole number from 1 (poor) to 5 (excellent).")
        elif code == "already_rated":
            detail = gettext("You have already rated this conversation %(score)s of 5. Thank you!") % {
                "score": survey.score
            }
        else:
            detail = gettext("Thank you, but ratings for this conversation closed %(hours)s hours after we asked.") % {
                "hours": settings.SATISFACTION_WINDOW_HOURS
            }
    return RatingRefused(code, detail)


def window() -> timedelta:
    return timedelta(hours=settings.SATISFACTION_WINDOW_HOURS)


def survey_of(person, conversation_id) -> SatisfactionSurvey:
    """The survey of one of the person's own conversations; RatingRefused `not_found` if they were not asked."""
    survey = (
        SatisfactionSurvey.objects.select_related("conversation__user")
        .filter(conversation_id=conversation_id, conversation__user=person)
        .first()
    )
    if survey is None:
        with speaking(person):
            raise RatingRefused("not_found", gettext("There is no rating to give for this conversation."))
    return survey


def awaiting_reply(person, channel: str) -> SatisfactionSurvey | None:
    """The survey a bare number from the person on `channel` answers: that of their latest conversation there, if
    it was asked and nothing was written on the channel since (a new conversation would be newer)."""
    latest = (
        Conversation.objects.filter(user=person, channel=channel)
        .select_related("satisfaction", "user")
        .order_by("-started_at")
        .first()
    )
    survey = getattr(latest, "satisfaction", None) if latest is not None else None
    if survey is not None:
        survey.conversation = latest
    return survey


# --- the email's link -----------------------------------------------------------------------------


def rating_token(survey: SatisfactionSurvey) -> str:
    return signing.dumps(str(survey.pk), salt=SALT)


def rating_url(survey: SatisfactionSurvey) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('satisfaction', args=[rating_token(survey)])}"


def survey_for_token(token: str) -> SatisfactionSurvey | None:
    """The survey a link names, None for a forged or mangled one (lateness is `rate`'s to say, in words)."""
    try:
        survey_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return SatisfactionSurvey.objects.select_related("conversation__user").filter(pk=survey_id).first()
