"""The console's big lists count exactly up to core.estimated_count.EXACT_UP_TO rows and take PostgreSQL's estimate
past it, reading no row for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation
from core import estimated_count
from core.estimated_count import EstimatedCountPaginator
from tests.factories import ConversationFactory, UserFactory


@pytest.fixture
def three(tenant):
    person = UserFactory(tenant=tenant)
    return [ConversationFactory(user=person) for _ in range(3)]


def test_a_list_below_the_bound_is_counted_exactly(three, tenant):
    paginator = EstimatedCountPaginator(Conversation.objects.filter(tenant=tenant), 2)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (3, False, 2)


@pytest.mark.postgres("the planner's estimate")
def test_past_the_bound_the_count_is_the_planners_estimate_and_no_row_is_counted(three, tenant, monkeypatch):
    monkeypatch.setattr(estimated_count, "EXACT_UP_TO", 0)
    rows = Conversation.objects.filter(tenant=tenant)
    planned = estimated_count.planned_rows(rows)
    paginator = EstimatedCountPaginator(rows, 2)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.estimated) == (planned, True)
    assert [q["sql"].split()[0] for q in captured] == ["EXPLAIN"]


@pytest.mark.django_db
def test_a_list_django_knows_is_empty_counts_zero_without_a_statement():
    paginator = EstimatedCountPaginator(Conversation.objects.filter(pk__in=[]), 2)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.estimated) == (0, False)
    assert not captured.captured_queries
