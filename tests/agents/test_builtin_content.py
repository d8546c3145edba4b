from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from agents.actions import ActionType
from agents.models import ContentPiece
from tests.agents.conftest import NOW, published
from tests.factories import ContentPieceFactory

pytestmark = pytest.mark.django_db

CONTENT = "content"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def pieces(tenant, other_tenant):
    published(tenant, "Summer Sale: Last Chance", "instagram", 2, 15200, 1480)
    published(tenant, "10 Trails to Hike", "blog", 4, 8400, 620)
    published(tenant, "How to Break In Hiking Boots", "blog", 11, 5000, 410)
    published(tenant, "Teaser", "tiktok", 1, 0, 0)
    published(tenant, "Spring Camping Checklist", "blog", 45, 12000, 9000)  # too old for "best content"
    ContentPieceFactory(tenant=tenant, title="Fall Gear Guide", channel="blog", status="draft")
    ContentPieceFactory(tenant=tenant, title="Campfire Recipes Reel", channel="instagram", status="draft")
    ContentPieceFactory(
        tenant=tenant,
        title="Fall Hiking Boots Launch",
        channel="instagram",
        status="scheduled",
        scheduled_for=datetime(2025, 6, 6, 10, 0, tzinfo=PARIS),
    )
    ContentPieceFactory(
        tenant=tenant,
        title="Missed Slot",
        channel="newsletter",
        status="scheduled",
        scheduled_for=NOW - timedelta(days=1),
    )
    published(other_tenant, "Viral Hit", "blog", 1, 999999, 99999)
    ContentPieceFactory(tenant=other_tenant, title="Secret Plan", channel="blog", status="draft")


def rate(engagement, views):
    return f"{Decimal(engagement * 100 / views).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def test_best_content_ranks_the_last_30_days_of_published_pieces_by_engagement(ask, tenant, pieces):
    recent = ContentPiece.objects.filter(tenant=tenant, status="published", published_at__gte=NOW - timedelta(days=30))
    ranked = sorted(recent, key=lambda p: -p.engagement)
    views, engagement = sum(p.views for p in recent), sum(p.engagement for p in recent)

    text = ask(CONTENT, "What's our best content?").text

    lines = text.splitlines()
    assert lines[0] == (
        f"{len(ranked)} pieces published in the last 30 days: {views:,} views, {engagement:,} engagements "
        f"({rate(engagement, views)})."
    )
    for place, piece in enumerate(ranked[:3], start=1):
        assert lines[place + 1] == (
            f"{place}. '{piece.title}' ({piece.get_channel_display()}): {piece.engagement:,} engagements, "
            f"{rate(piece.engagement, piece.views)} of {piece.views:,} views"
        )
    assert "Spring Camping Checklist" not in text and "Viral Hit" not in text


def test_best_content_on_one_channel(ask, pieces):
    text = ask(CONTENT, "best instagram posts?").text

    assert text.startswith("1 Instagram piece published in the last 30 days: 15,200 views")
    assert "10 Trails" not in text


def test_scheduled_lists_upcoming_pieces_in_the_tenants_time(ask, pieces):
    text = ask(CONTENT, "What's scheduled?").text

    assert text == "Scheduled (times in Europe/Paris):\n- Fri 6 Jun 10:00: 'Fall Hiking Boots Launch' (Instagram)"


def test_publish_a_draft(ask, tenant, pieces):
    draft = ContentPiece.objects.get(tenant=tenant, title="Fall Gear Guide")
    blog_views = [p.views for p in ContentPiece.objects.filter(tenant=tenant, channel="blog", status="published")]

    reply = ask(CONTENT, "publish 'Fall Gear Guide'")

    [action] = reply.actions
    assert action.action_type == ActionType.PUBLISH_CONTENT
    assert action.action_data == {"content_id": str(draft.id), "title": "Fall Gear Guide"}
    assert action.summary == "Publish 'Fall Gear Guide' (Blog) now"
    assert action.estimated_cost == 0
    assert action.estimated_reach == round(sum(blog_views) / len(blog_views))
    assert action.confidence == 0.9


@pytest.mark.parametrize("text", ["publish 'Fall Gear Guide' today", "ok publish it now"])
def test_publish_now(ask, pieces, text):
    [action] = ask(CONTENT, text, history=[("user", "How is 'Fall Gear Guide' coming along?")]).actions

    assert action.action_type == ActionType.PUBLISH_CONTENT
    assert action.action_data["title"] == "Fall Gear Guide"


def test_a_quoted_unknown_title_is_not_taken_from_the_conversation(ask, pieces):
    reply = ask(CONTENT, "publish that one: 'Secret Plan'", history=[("user", "How is 'Fall Gear Guide'?")])

    assert reply.actions == []
    assert reply.text.startswith("I can't find a piece called 'Secret Plan'.")


def test_publish_with_a_typo_lowers_confidence(ask, pieces):
    [action] = ask(CONTENT, "publish fall gear guid").actions

    assert action.action_data["title"] == "Fall Gear Guide"
    assert action.confidence == 0.7


def test_publishing_a_published_piece_is_only_answered(ask, pieces):
    reply = ask(CONTENT, "publish 'Summer Sale: Last Chance'")

    assert reply.actions == []
    assert reply.text == "'Summer Sale: Last Chance' was already published on 2 Jun."


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("schedule 'Fall Gear Guide' for Friday 9am", datetime(2025, 6, 6, 9, 0)),
        ("schedule Fall Gear Guide for tomorrow at 14:00", datetime(2025, 6, 5, 14, 0)),
        ("schedule 'Fall Gear Guide' for 2025-12-01 09:30", datetime(2025, 12, 1, 9, 30)),  # winter time
        ("please schedule 'Fall Gear Guide' on Dec 1 at 5pm", datetime(2025, 12, 1, 17, 0)),
        ("schedule 'Fall Gear Guide' for Wednesday 4pm", datetime(2025, 6, 4, 16, 0)),  # later today
        ("schedule 'Fall Gear Guide' for Wednesday 9am", datetime(2025, 6, 11, 9, 0)),  # today's 9am has passed
        ("publish 'Fall Gear Guide' tomorrow at 8am", datetime(2025, 6, 5, 8, 0)),
    ],
)
def test_schedule_reads_times_in_the_tenants_zone(ask, tenant, pieces, text, local):
    draft = ContentPiece.objects.get(tenant=tenant, title="Fall Gear Guide")
    expected = local.replace(tzinfo=PARIS).astimezone(ZoneInfo("UTC"))

    reply = ask(CONTENT, text)

    [action] = reply.actions
    assert action.action_type == ActionType.SCHEDULE_CONTENT
    assert action.action_data == {
        "content_id": str(draft.id),
        "title": "Fall Gear Guide",
        "scheduled_for": expected.isoformat(),
    }
    assert datetime.fromisoformat(action.action_data["scheduled_for"]).utcoffset() == timedelta(0)
    assert (
        action.summary
        == f"Schedule 'Fall Gear Guide' (Blog) for {local:%a} {local.day} {local:%b %H:%M} (Europe/Paris)"
    )
    assert action.estimated_reach == round((8400 + 5000 + 12000) / 3)


def test_schedule_in_another_zone(ask, tenant, pieces):
    tenant.timezone = "America/Los_Angeles"
    tenant.save()

    [action] = ask(CONTENT, "schedule 'Fall Gear Guide' for tomorrow at 14:00").actions

    # 12:00 UTC is 05:00 in Los Angeles: tomorrow is 5 June, 14:00 PDT is 21:00 UTC.
    assert action.action_data["scheduled_for"] == "2025-06-05T21:00:00+00:00"


def test_a_date_without_a_time_means_nine(ask, pieces):
    reply = ask(CONTENT, "schedule 'Fall Gear Guide' for 2025-06-10")

    assert reply.actions[0].action_data["scheduled_for"] == "2025-06-10T07:00:00+00:00"
    assert "No time given, so 09:00." in reply.text


def test_rescheduling_a_scheduled_piece(ask, pieces):
    [action] = ask(CONTENT, "reschedule 'Fall Hiking Boots Launch' for Saturday 11:30").actions

    assert action.action_data["scheduled_for"] == "2025-06-07T09:30:00+00:00"


@pytest.mark.parametrize(
    "text",
    [
        "schedule 'Fall Gear Guide' for 2025-06-01 09:00",
        "schedule 'Fall Gear Guide' for yesterday at 9am",
        "schedule 'Fall Gear Guide' for today at 10am",
    ],
)
def test_a_time_in_the_past_is_refused(ask, pieces, text):
    reply = ask(CONTENT, text)

    assert reply.actions == []
    assert "is in the past" in reply.text


@pytest.mark.parametrize(
    ("text", "heard"),
    [
        ("schedule 'Fall Gear Guide' for someday soon", "someday soon"),
        ("schedule 'Fall Gear Guide' for 2025-13-01 09:00", "2025-13-01 09:00"),
        ("schedule 'Fall Gear Guide'", ""),
    ],
)
def test_an_unreadable_time_is_explained(ask, pieces, text, heard):
    reply = ask(CONTENT, text)

    assert reply.actions == []
    assert reply.text.startswith("I couldn't understand when to schedule 'Fall Gear Guide'")
    assert f"('{heard}')" in reply.text if heard else "('" not in reply.text
    assert "Friday 9am" in reply.text


def test_scheduling_more_than_a_year_ahead_is_refused(ask, pieces):
    reply = ask(CONTENT, "schedule 'Fall Gear Guide' for 2027-01-01 09:00")

    assert reply.actions == []
    assert "more than a year ahead" in reply.text


def test_another_tenants_pieces_are_unknown(ask, pieces):
    reply = ask(CONTENT, "publish 'Secret Plan'")

    assert reply.actions == []
    assert reply.text.startswith("I can't find a piece called 'Secret Plan'.")
    assert "Viral Hit" not in ask(CONTENT, "What's our best content?").text


def test_drafts_and_a_single_piece(ask, pieces):
    assert ask(CONTENT, "which drafts do we have?").text == (
        "Drafts (2): 'Campfire Recipes Reel' (Instagram), 'Fall Gear Guide' (Blog)."
    )
    assert ask(CONTENT, "How did 'How to Break In Hiking Boots' do?").text == (
        "'How to Break In Hiking Boots' (Blog), published on 24 May: 5,000 views, 410 engagements (8.2%)."
    )


def test_the_engine_writes_nothing(ask, pieces):
    def snapshot():
        return list(
            ContentPiece.objects.order_by("title").values_list("title", "status", "scheduled_for", "published_at")
        )

    before = snapshot()
    for text in ("publish 'Fall Gear Guide'", "schedule 'Campfire Recipes Reel' for Friday 9am", "What's scheduled?"):
        ask(CONTENT, text)
    assert snapshot() == before


@pytest.mark.parametrize("text", ["good morning", "what is the meaning of life"])
def test_greetings_and_unknown_messages_list_what_the_agent_can_do(ask, text):
    reply = ask(CONTENT, text)

    assert reply.actions == []
    assert "- What's scheduled?" in reply.text
    assert 3 <= reply.text.count("\n- ") <= 5


@pytest.mark.parametrize(
    "text",
    [
        "publish the draft about trail running shoes",
        "Publish our trail running shoes guide now",
        "please publish the running shoes buyer's guide",
        "publish the trail runing shoes buyers guide",  # misspelt
    ],
)
def test_a_title_is_found_from_most_of_its_words(ask, tenant, text):
    guide = ContentPieceFactory(tenant=tenant, title="Trail running shoes buyer's guide", channel="blog")
    ContentPieceFactory(tenant=tenant, title="Trail maps for beginners", channel="blog")
    ContentPieceFactory(tenant=tenant, title="Running a pop-up shop", channel="blog")
    [action] = ask(CONTENT, text).actions
    assert action.action_type == "publish_content" and action.action_data["content_id"] == str(guide.id)


def test_two_words_shared_with_several_titles_are_not_enough(ask, tenant):
    ContentPieceFactory(tenant=tenant, title="Trail running shoes buyer's guide", channel="blog")
    ContentPieceFactory(tenant=tenant, title="Trail running in the rain", channel="blog")
    reply = ask(CONTENT, "publish the trail running post")
    assert reply.actions == []  # two of five words: it asks which piece rather than guess


@pytest.mark.parametrize("text", ["what should we post this week?", "¿qué publicamos esta semana?"])
def test_an_open_question_about_posting_gets_the_plan_not_a_missing_title(ask, pieces, text):
    """Issue 50: "what should we post this week?" got "I can't find a piece called 'what should we'"."""
    reply = ask(CONTENT, text)

    assert reply.actions == [] and "'what should" not in reply.text and "publicamos" not in reply.text
    assert "Fall Hiking Boots Launch" in reply.text  # what is scheduled
    assert "Campfire Recipes Reel" in reply.text and "Fall Gear Guide" in reply.text  # drafts ready to go
