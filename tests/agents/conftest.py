"""Fixtures for the built-in engine: a fixed clock and an `ask` helper that also checks every reply's basics."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.engines.base import EngineRequest, HistoryItem
from agents.engines.builtin import BuiltinEngine
from agents.models import AIAgent, KeywordRanking
from tests.factories import ContentPieceFactory

# Wednesday 4 June 2025, 14:00 in Paris (the test tenant's zone): "today" is 4 June, yesterday 3 June.
NOW = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
TODAY = date(2025, 6, 4)
YESTERDAY = TODAY - timedelta(days=1)
# The last 7 complete days (28 May to 3 June) and the 7 before them (21 to 27 May).
CURRENT_WEEK = [YESTERDAY - timedelta(days=n) for n in range(7)]
PREVIOUS_WEEK = [YESTERDAY - timedelta(days=n) for n in range(7, 14)]


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def run_engine(user, agent_type, text, history=()):
    """One built-in engine turn for `user`, checked to be short, plain and read-only."""
    request = EngineRequest(
        tenant=user.tenant,
        user=user,
        agent=AIAgent.objects.get(is_system_agent=True, agent_type=agent_type),
        conversation_id="conversation-1",
        text=text,
        history=tuple(HistoryItem(role, said) for role, said in history),
    )
    with CaptureQueriesContext(connection) as queries:
        reply = BuiltinEngine().run(request)
    assert len(reply.text) <= 1000
    assert reply.text.strip()
    assert "|" not in reply.text and "**" not in reply.text  # plain text, no tables or markdown
    # A UNION of reads starts "(SELECT" on PostgreSQL.
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].lstrip(" (").upper().startswith("SELECT")]
    assert writes == []
    return reply


@pytest.fixture
def ask(tenant_admin, frozen_now):
    """ask(agent_type, text, history=[("user", "...")]) -> EngineReply, as the test tenant's admin."""

    def run(agent_type, text, history=()):
        return run_engine(tenant_admin, agent_type, text, history)

    return run


def published(tenant, title, channel, days_ago, views, engagement):
    """A piece published `days_ago` days before NOW with its figures."""
    return ContentPieceFactory(
        tenant=tenant,
        title=title,
        channel=channel,
        status="published",
        published_at=NOW - timedelta(days=days_ago),
        views=views,
        engagement=engagement,
    )


def latest_rankings(tenant):
    """Each keyword's newest ranking row of `tenant`."""
    rows = {}
    for row in KeywordRanking.objects.filter(tenant=tenant).order_by("date"):
        rows[row.keyword] = row
    return list(rows.values())
