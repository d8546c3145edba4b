"""Chat: the widget's socket hears `satisfaction_asked` and answers with a `rate` frame; `rated`, or an error frame
that says why not, politely."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from conversations import takeover
from conversations.models import SatisfactionSurvey

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("chat_db")]


def step(function, *args, **kwargs):
    return database_sync_to_async(function)(*args, **kwargs)


async def resolved(open_tab, customer, support):
    """A tab whose conversation support took over and resolved: the ask is its last frame."""
    _, tab = await open_tab(customer)
    await tab.next()  # history
    await tab.say("My ad account is locked", "c1")
    conversation_id = (await tab.until("agent_response"))[0]["conversation_id"]
    await step(takeover.assign, conversation_id, actor=support)
    await step(takeover.resolve, conversation_id, actor=support)
    frames = await tab.until("satisfaction_asked")
    assert [f["type"] for f in frames] == ["human_joined", "human_left", "satisfaction_asked"]
    return tab, frames[-1]


def score(conversation_id):
    return step(lambda: SatisfactionSurvey.objects.get(conversation_id=conversation_id).score)


async def test_the_widget_is_asked_and_its_rating_taken_once(open_tab, colleague, support, engine):
    tab, asked = await resolved(open_tab, colleague, support)
    assert asked["scores"] == [1, 2, 3, 4, 5] and asked["text"].startswith("How did we do?")
    conversation_id = asked["conversation_id"]

    await tab.send({"type": "rate", "score": 4})  # the followed conversation by default
    rated = await tab.next()
    assert (rated["type"], rated["score"], rated["conversation_id"]) == ("rated", 4, conversation_id)
    assert rated["text"] == "Thank you! You rated this conversation 4 of 5." and "seq" in rated
    assert await score(conversation_id) == 4

    await tab.send({"type": "rate", "score": 1, "conversation_id": conversation_id})
    again = await tab.next()
    assert (again["type"], again["code"]) == ("error", "already_rated")
    assert again["detail"] == "You have already rated this conversation 4 of 5. Thank you!"
    assert await score(conversation_id) == 4
    await tab.close()


@pytest.mark.parametrize("given", [0, 6, 100])
async def test_a_score_out_of_range_is_refused_politely_and_the_socket_stays(
    open_tab, colleague, support, engine, given
):
    tab, asked = await resolved(open_tab, colleague, support)
    await tab.send({"type": "rate", "score": given})
    refused = await tab.next()
    assert (refused["type"], refused["code"]) == ("error", "out_of_range")
    assert refused["detail"] == "Please rate with a whole number from 1 (poor) to 5 (excellent)."
    await tab.send({"type": "rate", "score": 5})
    assert (await tab.next())["type"] == "rated"
    await tab.close()


async def test_a_late_rating_is_refused_politely(open_tab, colleague, support, engine, settings):
    tab, asked = await resolved(open_tab, colleague, support)
    long_ago = timezone.now() - timedelta(hours=settings.SATISFACTION_WINDOW_HOURS, minutes=1)
    await step(
        lambda: SatisfactionSurvey.objects.filter(conversation_id=asked["conversation_id"]).update(asked_at=long_ago)
    )
    await tab.send({"type": "rate", "score": 5})
    refused = await tab.next()
    assert (refused["code"], refused["detail"]) == (
        "late",
        "Thank you, but ratings for this conversation closed 72 hours after we asked.",
    )
    assert await score(asked["conversation_id"]) is None
    await tab.close()


@pytest.mark.parametrize(
    "frame, code",
    [
        ({"type": "rate"}, "invalid"),
        ({"type": "rate", "score": "4"}, "invalid"),
        ({"type": "rate", "score": True}, "invalid"),
        ({"type": "rate", "score": 4.5}, "invalid"),
        ({"type": "rate", "score": 4, "conversation_id": "not-an-id"}, "invalid"),
        ({"type": "rate", "score": 4, "conversation_id": "00000000-0000-0000-0000-000000000000"}, "not_found"),
    ],
)
async def test_bad_rate_frames_get_an_error(open_tab, colleague, frame, code):
    _, tab = await open_tab(colleague)
    await tab.next()
    await tab.send(frame)
    error = await tab.next()
    assert (error["type"], error["code"]) == ("error", code) and error["detail"]
    await tab.close()


async def test_nobody_rates_another_persons_conversation(open_tab, colleague, tenant_admin, support, engine):
    tab, asked = await resolved(open_tab, colleague, support)
    _, other = await open_tab(tenant_admin)
    await other.next()
    await other.send({"type": "rate", "score": 1, "conversation_id": asked["conversation_id"]})
    assert (await other.next())["code"] == "not_found"
    assert await score(asked["conversation_id"]) is None
    await tab.close()
    await other.close()
