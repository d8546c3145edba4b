"""Issue 30, point 6: medians and p90 on every database, PERCENTILE_CONT's values on the embedded SQLite too.

PostgreSQL computes them with PERCENTILE_CONT; SQLite has none, so the same rows' values are read and
interpolated in Python. The expected values below are PERCENTILE_CONT's, worked by hand. The database
tests run each code path they can: PostgreSQL's aggregate where there is one, and the Python path on
whichever database the suite runs on (so CI, on PostgreSQL, checks SQLite's path against the same rows).
"""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.functions import TruncDate

from analytics.models import ConversationMetrics
from hitl.models import HITLApproval
from reports.aggregates import Percentile, aggregate, continuous_percentile, grouped, has_percentiles
from reports.approval_stats import figure_expressions, minutes
from reports.queries import conversation_expressions
from tests.analytics.conftest import PARIS, approval, paris, utc

MIN = timedelta(minutes=1)
SPREAD = {"p50": Percentile("first_response_ms", 0.5), "p90": Percentile("first_response_ms", 0.9)}


@pytest.mark.parametrize(
    "values, p50, p90",
    [
        ([40, 10, 30, 20], 25, 37),  # even: halfway between 20 and 30; 90th at 2.7 of 3: 30 + 0.7 * 10
        ([50, 10, 40, 30, 20], 30, 46),  # odd: the middle value; 90th at 3.6 of 4: 40 + 0.6 * 10
        ([7], 7, 7),
        ([], None, None),
        ([40 * MIN, 10 * MIN, 30 * MIN, 20 * MIN], 25 * MIN, 37 * MIN),  # durations (time to decision)
    ],
)
def test_continuous_percentile_interpolates_as_percentile_cont(values, p50, p90):
    assert continuous_percentile(values, 0.5) == p50
    assert continuous_percentile(values, 0.9) == p90
    assert continuous_percentile(values, 0) == (min(values) if values else None)
    assert continuous_percentile(values, 1) == (max(values) if values else None)


def paths():
    """Each way this database can compute percentiles: its own (PostgreSQL's PERCENTILE_CONT), and Python's."""
    return [
        pytest.param(None, id="the database's default"),
        pytest.param(True, id="PERCENTILE_CONT", marks=pytest.mark.postgres("PERCENTILE_CONT")),
        pytest.param(False, id="interpolated in Python"),
    ]


def metrics(tenant, channel, first_ms, started_at=None):
    return ConversationMetrics.objects.create(
        tenant=tenant, conversation_id=uuid.uuid4(), channel=channel, agent_types=[], first_response_ms=first_ms,
        started_at=started_at or utc(2025, 3, 21, 9),
    )  # fmt: skip


@pytest.fixture
def first_responses(tenant, other_tenant):
    for channel, values in {
        "chat": [4000, 1000, None, 3000, 2000],  # even once the null is left out, as PERCENTILE_CONT leaves it
        "whatsapp": [5000, 1000, 3000],  # odd
        "email": [700],  # one value
        "sms": [None],  # no value
    }.items():
        for first_ms in values:
            metrics(tenant, channel, first_ms)
    metrics(other_tenant, "chat", 1)
    return ConversationMetrics.objects.filter(tenant=tenant)


@pytest.mark.parametrize("in_database", paths())
def test_conversation_percentiles_per_group_and_in_total(first_responses, in_database):
    groups = grouped(first_responses, F("channel"), SPREAD, in_database=in_database)
    assert {g["key"]: (g["p50"], g["p90"]) for g in groups} == {
        "chat": (2500, 3700),  # 2000 + 0.5 * 1000; 3000 + 0.7 * 1000
        "email": (700, 700),
        "sms": (None, None),
        "whatsapp": (3000, 4600),  # 3000 + 0.8 * 2000
    }
    # all eight: 700 1000 1000 2000 3000 3000 4000 5000; 50th at 3.5, 90th at 6.3
    assert aggregate(first_responses, SPREAD, in_database=in_database) == {"p50": 2500, "p90": 4300}
    assert aggregate(first_responses.none(), SPREAD, in_database=in_database) == {"p50": None, "p90": None}


@pytest.mark.parametrize("in_database", paths())
def test_the_latest_days_only_each_with_its_own_percentiles(tenant, in_database):
    for day, values in {19: [9], 20: [1, 2, 3, 4], 21: [10, 30]}.items():
        for first_ms in values:
            metrics(tenant, "chat", first_ms, started_at=paris(2025, 3, day, 12))
    rows = ConversationMetrics.objects.filter(tenant=tenant)
    days = grouped(rows, TruncDate("started_at", tzinfo=PARIS), SPREAD, latest=2, in_database=in_database)
    assert [(d["key"], d["p50"], pytest.approx(d["p90"])) for d in days] == [
        (date(2025, 3, 20), 2.5, 3.7),
        (date(2025, 3, 21), 20, 28),
    ]


@pytest.mark.parametrize("in_database", paths())
def test_time_to_decision_percentiles_count_only_decisions_people_made(tenant, in_database):
    at = paris(2025, 3, 21, 9)
    for took in (40, 10, 30, 20):
        approval(tenant, requested_at=at, status="approved", took=took * MIN)
    approval(tenant, requested_at=at, status="rejected", took=15 * MIN, action_type="publish_content")
    automatic = approval(tenant, requested_at=at, status="approved", took=MIN)
    HITLApproval.objects.filter(pk=automatic.pk).update(decided_automatically=True)
    approval(tenant, requested_at=at, status="pending", action_type="send_email")
    rows = HITLApproval.objects.filter(tenant=tenant)

    groups = grouped(rows, F("action_type"), figure_expressions(), in_database=in_database)
    assert {g["key"]: (minutes(g["median_decision"]), minutes(g["p90_decision"])) for g in groups} == {
        "set_budget": (25, 37),
        "publish_content": (15, 15),
        "send_email": (None, None),
    }
    totals = aggregate(rows, figure_expressions(), in_database=in_database)
    # 10 15 20 30 40 (the automatic one left out): 90th at 3.6 of 4, 30 + 0.6 * 10
    assert (minutes(totals["median_decision"]), minutes(totals["p90_decision"])) == (20, 36)


def test_the_default_path_is_percentile_cont_on_postgresql_only():
    assert has_percentiles(ConversationMetrics.objects.all()) == (connection.vendor == "postgresql")


@pytest.mark.parametrize("in_database", paths())
def test_resolution_time_percentiles_count_resolved_conversations_only(tenant, in_database):
    """Resolution time: a resolved conversation's start to its end (its duration), on both databases alike."""
    for channel, seconds, resolved in [
        ("chat", 40, True), ("chat", 10, True), ("chat", 30, True), ("chat", 20, True),
        ("chat", 9999, False),  # still open (or closed with an approval open): not resolved, left out
        ("whatsapp", 600, True),
        ("email", 5, False),
    ]:  # fmt: skip
        row = metrics(tenant, channel, None)
        ConversationMetrics.objects.filter(pk=row.pk).update(duration_seconds=seconds, issue_resolved=resolved)
    rows = ConversationMetrics.objects.filter(tenant=tenant)
    figures = {name: f for name, f in conversation_expressions().items() if name.startswith("resolution_seconds")}

    groups = grouped(rows, F("channel"), figures, in_database=in_database)
    assert {g["key"]: (g["resolution_seconds_p50"], g["resolution_seconds_p90"]) for g in groups} == {
        "chat": (25, 37),  # 10 20 30 40: halfway between 20 and 30; 90th at 2.7 of 3
        "whatsapp": (600, 600),
        "email": (None, None),
    }
    totals = aggregate(rows, figures, in_database=in_database)
    # 10 20 30 40 600: the middle value; 90th at 3.6 of 4, 40 + 0.6 * 560
    assert (totals["resolution_seconds_p50"], pytest.approx(totals["resolution_seconds_p90"])) == (30, 376)
    assert totals["resolution_seconds_mean"] == pytest.approx(140)
