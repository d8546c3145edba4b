"""LedgerExecutor: each action applied to the tenant's own rows, with an exact before/after; refusals change nothing."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db.models import QuerySet
from django.utils import timezone, translation

from agents.executors import ExecutionError, ExecutionRequest, ExecutionResult, LedgerExecutor, get_executor
from agents.models import AudienceSegment, Campaign, ContentPiece, TargetKeyword
from core.sentence import told
from tests.factories import AudienceSegmentFactory, CampaignFactory, ContentPieceFactory

NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
MODELS = (Campaign, ContentPiece, AudienceSegment, TargetKeyword)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def run(tenant):
    def execute(action_type, data, *, on=None) -> ExecutionResult:
        request = ExecutionRequest(
            tenant=on or tenant,
            approval_id="3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d",
            reference="BR-123456",
            action_type=action_type,
            action_data=data,
            approved_at=NOW,
        )
        result = LedgerExecutor().execute(request)
        return replace(result, detail=str(result.detail))  # the detail as the active language tells it

    return execute


@pytest.fixture
def refused(run):
    """refused(action_type, data) -> the ExecutionError's message, checking that no row changed anywhere."""

    def check(action_type, data):
        before = _snapshot()
        with pytest.raises(ExecutionError) as caught:
            run(action_type, data)
        assert _snapshot() == before
        return str(caught.value)

    return check


def _snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_ledger_is_the_executor_without_a_webhook(tenant):
    request = ExecutionRequest(tenant, "3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d", "BR-123456", "pause_campaign", {}, NOW)
    assert isinstance(get_executor(request), LedgerExecutor)


def test_unknown_action_type_is_refused(refused):
    assert "launch_rocket" in refused("launch_rocket", {})


# --- Campaigns -------------------------------------------------------------------------


def test_set_budget(tenant, run):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", daily_budget=Decimal("500.00"))

    result = run("set_budget", {"campaign_id": str(campaign.pk), "daily_budget": "700", "previous_daily_budget": "500"})

    assert result == ExecutionResult(
        before={"id": str(campaign.pk), "daily_budget": "500.00"},
        after={"id": str(campaign.pk), "daily_budget": "700.00"},
        detail="Summer Sale daily budget $500.00 -> $700.00",
    )
    campaign.refresh_from_db()
    assert campaign.daily_budget == Decimal("700.00")


@pytest.mark.parametrize("budget", ["0", "0.001", "-5", "lots", "NaN", "Infinity", None])
def test_set_budget_refuses_an_amount_that_is_not_above_zero(tenant, refused, budget):
    campaign = CampaignFactory(tenant=tenant)
    assert "above zero" in refused("set_budget", {"campaign_id": str(campaign.pk), "daily_budget": budget})


def test_pause_campaign(tenant, run):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", status="active")

    result = run("pause_campaign", {"campaign_id": str(campaign.pk), "campaign_name": "Summer Sale"})

    assert result == ExecutionResult(
        before={"id": str(campaign.pk), "status": "active"},
        after={"id": str(campaign.pk), "status": "paused"},
        detail="Paused Summer Sale",
    )
    campaign.refresh_from_db()
    assert campaign.status == "paused"


def test_resume_campaign(tenant, run):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", status="paused")

    result = run("resume_campaign", {"campaign_id": str(campaign.pk), "campaign_name": "Summer Sale"})

    assert result == ExecutionResult(
        before={"id": str(campaign.pk), "status": "paused"},
        after={"id": str(campaign.pk), "status": "active"},
        detail="Resumed Summer Sale",
    )
    campaign.refresh_from_db()
    assert campaign.status == "active"


@pytest.mark.parametrize("action_type, status", [("pause_campaign", "paused"), ("resume_campaign", "active")])
def test_campaign_already_in_that_state_is_refused(tenant, refused, action_type, status):
    campaign = CampaignFactory(tenant=tenant, name="Summer Sale", status=status)
    assert refused(action_type, {"campaign_id": str(campaign.pk)}) == f"Summer Sale is already {status}"


# --- Content ---------------------------------------------------------------------------


def test_publish_content(tenant, run, frozen_now):
    planned = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    piece = ContentPieceFactory(tenant=tenant, title="Trail Guide", status="scheduled", scheduled_for=planned)

    result = run("publish_content", {"content_id": str(piece.pk), "title": "Trail Guide"})

    assert result == ExecutionResult(
        before={
            "id": str(piece.pk),
            "status": "scheduled",
            "published_at": None,
            "scheduled_for": "2025-06-10T08:00:00+00:00",
        },
        after={
            "id": str(piece.pk),
            "status": "published",
            "published_at": "2025-06-04T12:00:00+00:00",
            "scheduled_for": None,
        },
        detail="Published “Trail Guide”",
    )
    piece.refresh_from_db()
    assert (piece.status, piece.published_at, piece.scheduled_for) == ("published", NOW, None)


def test_schedule_content_stores_the_time_in_utc(tenant, run, frozen_now):
    piece = ContentPieceFactory(tenant=tenant, title="Trail Guide", status="draft")

    result = run("schedule_content", {"content_id": str(piece.pk), "scheduled_for": "2025-06-05T09:00:00+02:00"})

    assert result == ExecutionResult(
        before={"id": str(piece.pk), "status": "draft", "scheduled_for": None},
        after={"id": str(piece.pk), "status": "scheduled", "scheduled_for": "2025-06-05T07:00:00+00:00"},
        detail="Scheduled “Trail Guide” for June 5, 2025, 7 a.m.",
    )
    other = ContentPieceFactory(tenant=tenant, title="Trail Guide", status="draft")
    with timezone.override("America/Los_Angeles"):  # the time is told in the reader's zone
        there = run("schedule_content", {"content_id": str(other.pk), "scheduled_for": "2025-06-05T09:00:00+02:00"})
    assert there.detail == "Scheduled “Trail Guide” for June 5, 2025, midnight"
    piece.refresh_from_db()
    assert (piece.status, piece.scheduled_for) == ("scheduled", datetime(2025, 6, 5, 7, 0, tzinfo=UTC))


@pytest.mark.parametrize("action_type", ["publish_content", "schedule_content"])
def test_published_content_is_refused(tenant, refused, action_type, frozen_now):
    piece = ContentPieceFactory(tenant=tenant, title="Trail Guide", status="published", published_at=NOW)
    data = {"content_id": str(piece.pk), "scheduled_for": "2025-06-05T09:00:00+00:00"}
    assert refused(action_type, data) == "“Trail Guide” is already published"


@pytest.mark.parametrize(
    "when, reason",
    [
        ("2025-06-05T09:00:00", "no time zone"),
        ("2025-06-04T11:59:59+00:00", "has passed"),
        ("2025-06-04T12:00:00+00:00", "has passed"),
        ("next tuesday", "not an ISO 8601"),
        (None, "not an ISO 8601"),
    ],
)
def test_schedule_content_refuses_a_bad_time(tenant, refused, frozen_now, when, reason):
    piece = ContentPieceFactory(tenant=tenant, status="draft")
    assert reason in refused("schedule_content", {"content_id": str(piece.pk), "scheduled_for": when})


# --- Audiences -------------------------------------------------------------------------


def _created_segment(tenant, name) -> AudienceSegment:
    return AudienceSegment.objects.for_tenant(tenant).get(name=name)


def test_create_audience_based_on_a_segment_is_three_times_its_size(tenant, run):
    base = AudienceSegmentFactory(tenant=tenant, size=12000)

    result = run(
        "create_audience",
        {"name": "Hikers lookalike", "description": "People like our hikers", "based_on_segment_id": str(base.pk)},
    )

    segment = _created_segment(tenant, "Hikers lookalike")
    assert result == ExecutionResult(
        before={},
        after={
            "id": str(segment.pk),
            "name": "Hikers lookalike",
            "size": 36000,
            "weekly_growth": "0.00",
            "description": "People like our hikers",
        },
        detail="Created audience “Hikers lookalike” (36,000 people)",
    )
    assert (segment.size, segment.weekly_growth, segment.description) == (36000, 0, "People like our hikers")


def test_an_audiences_size_is_kept_as_a_count_each_reader_groups_their_way(tenant):
    """Written as text, "36,000 people" reached a Spanish approver with English grouping."""
    base = AudienceSegmentFactory(tenant=tenant, size=12000)
    data = {"name": "Hikers lookalike", "description": "", "based_on_segment_id": str(base.pk)}
    request = ExecutionRequest(tenant, "3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d", "BR-1", "create_audience", data, NOW)
    with translation.override("en"):
        kept = LedgerExecutor().execute(request).detail.stored()

    assert kept["figures"]["size"] == {"number": "36000"}
    with translation.override("es"):
        assert told(kept) == "Audiencia «Hikers lookalike» creada (36\xa0000 personas)"


def test_create_audience_from_nothing_starts_empty(tenant, run):
    result = run("create_audience", {"name": "Climbers", "description": "", "based_on_segment_id": None})
    assert result.after["size"] == 0
    assert _created_segment(tenant, "Climbers").size == 0


def test_create_audience_ignores_another_tenants_segment(tenant, other_tenant, run):
    theirs = AudienceSegmentFactory(tenant=other_tenant, size=50000)
    run("create_audience", {"name": "Climbers", "description": "", "based_on_segment_id": str(theirs.pk)})
    assert _created_segment(tenant, "Climbers").size == 0


def test_create_retargeting(tenant, run):
    result = run("create_retargeting", {"name": "Cart rescue", "source": "cart_abandoners", "lookback_days": 30})

    segment = _created_segment(tenant, "Cart rescue")
    assert result == ExecutionResult(
        before={},
        after={
            "id": str(segment.pk),
            "name": "Cart rescue",
            "size": 0,
            "weekly_growth": "0.00",
            "description": "Retargeting: cart abandoners from the last 30 days.",
        },
        detail="Created audience “Cart rescue” (0 people)",
    )


@pytest.mark.parametrize("action_type", ["create_audience", "create_retargeting"])
def test_an_audience_name_already_taken_is_refused(tenant, refused, action_type):
    AudienceSegmentFactory(tenant=tenant, name="Cart Rescue")
    data = {"name": "cart rescue", "based_on_segment_id": None, "source": "purchasers", "lookback_days": 30}
    assert refused(action_type, data) == "An audience called “cart rescue” already exists"


def test_another_tenants_audience_name_is_free(tenant, other_tenant, run):
    AudienceSegmentFactory(tenant=other_tenant, name="Cart rescue")
    run("create_audience", {"name": "Cart rescue", "based_on_segment_id": None})
    assert _created_segment(tenant, "Cart rescue").size == 0


def test_an_audience_created_concurrently_is_refused_and_the_transaction_stays_usable(tenant, refused):
    """The name check passed, but another approval created the same name before our insert."""
    AudienceSegmentFactory(tenant=tenant, name="Cart rescue")
    with mock.patch.object(QuerySet, "exists", return_value=False):
        message = refused("create_audience", {"name": "Cart rescue", "based_on_segment_id": None})
    assert message == "An audience called “Cart rescue” already exists"
    assert AudienceSegment.objects.for_tenant(tenant).count() == 1  # the connection still answers


@pytest.mark.parametrize(
    "data, reason",
    [
        ({"name": "  ", "source": "purchasers", "lookback_days": 30}, "no name"),
        ({"name": "Buyers", "source": "everyone", "lookback_days": 30}, "draws on one of"),
        ({"name": "Buyers", "source": "purchasers", "lookback_days": 0}, "whole number of days"),
        ({"name": "Buyers", "source": "purchasers", "lookback_days": "30"}, "whole number of days"),
    ],
)
def test_create_retargeting_refuses_bad_data(refused, data, reason):
    assert reason in refused("create_retargeting", data)


# --- Keywords --------------------------------------------------------------------------


def test_add_target_keyword(tenant, run):
    result = run("add_target_keyword", {"keyword": " hiking boots "})

    row = TargetKeyword.objects.for_tenant(tenant).get()
    assert row.keyword == "hiking boots"
    assert result == ExecutionResult(
        before={}, after={"id": str(row.pk), "keyword": "hiking boots"}, detail="Added target keyword “hiking boots”"
    )


def test_a_keyword_already_targeted_is_refused(tenant, refused):
    TargetKeyword.objects.create(tenant=tenant, keyword="Hiking Boots")
    assert refused("add_target_keyword", {"keyword": "hiking boots"}) == "“hiking boots” is already a target keyword"


def test_remove_target_keyword(tenant, run):
    row = TargetKeyword.objects.create(tenant=tenant, keyword="Hiking Boots")

    result = run("remove_target_keyword", {"keyword": "hiking boots"})

    assert result == ExecutionResult(
        before={"id": str(row.pk), "keyword": "Hiking Boots"}, after={}, detail="Dropped target keyword “Hiking Boots”"
    )
    assert not TargetKeyword.objects.filter(pk=row.pk).exists()


def test_removing_an_absent_keyword_is_refused(tenant, other_tenant, refused):
    TargetKeyword.objects.create(tenant=other_tenant, keyword="hiking boots")  # theirs, not ours
    message = refused("remove_target_keyword", {"keyword": "hiking boots"})
    assert message == "“hiking boots” is not one of this account's target keywords"


# --- Rows that are not the tenant's ----------------------------------------------------

ROW_ACTIONS = [
    ("set_budget", "campaign_id", {"daily_budget": "700"}),
    ("pause_campaign", "campaign_id", {}),
    ("resume_campaign", "campaign_id", {}),
    ("publish_content", "content_id", {}),
    ("schedule_content", "content_id", {"scheduled_for": "2099-01-01T00:00:00+00:00"}),
]


def _theirs(other_tenant, action_type):
    """A row of the other tenant that the action could otherwise change."""
    if action_type.endswith("_content"):
        return ContentPieceFactory(tenant=other_tenant, status="draft")
    return CampaignFactory(tenant=other_tenant, status="paused" if action_type == "resume_campaign" else "active")


@pytest.mark.parametrize("action_type, id_key, extra", ROW_ACTIONS)
def test_another_tenants_row_is_refused(other_tenant, refused, action_type, id_key, extra):
    theirs = _theirs(other_tenant, action_type)
    assert "does not exist in this account" in refused(action_type, {id_key: str(theirs.pk), **extra})


@pytest.mark.parametrize("action_type, id_key, extra", ROW_ACTIONS)
@pytest.mark.parametrize("row_id", ["8d3f0c2e-5b7a-4c1e-9a6d-2e5b7a4c1e9a", "not-a-uuid", None, 42])
def test_a_missing_row_is_refused(tenant, refused, action_type, id_key, extra, row_id):
    assert "does not exist in this account" in refused(action_type, {id_key: row_id, **extra})
