"""The database goes away for 6 seconds (issue 46, point 11): a TCP proxy in front of PostgreSQL drops every
connection of daphne and the worker and refuses new ones, while work is in flight on those connections.

Two pieces of work are caught mid-way, deterministically:
- two answer tasks, each in its first statement (reading its conversation, whose lease the message's intake gave
  the task), waiting on the table the test holds locked: the cut drops their connections mid-statement. Each
  message is still answered exactly once, within 30 s of the database's return: the task retries on database
  errors, under its own id, and so holds that lease again (conversations.tasks). (A cut during the engine call
  is not this case: the pipeline's own attempt retry already answers that one.)
- an approval decided over the API, committed while its after-commit sends wait on a paused Redis: the cut drops
  the connection before the answer reads the approval back. The decision is answered as committed (200), never a
  500 followed by a 409 for the same decision sent again (docs/api.md), and the approved action runs once.
"""

import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import psycopg
import pytest
from django.db import connection

from agents.models import AIAgent, Campaign
from conversations.models import Conversation, Message
from hitl.models import HITLApproval, HITLDecision
from hitl.services.requests import request_approval
from tests.factories import CampaignFactory, budget_action
from tests.faults.harness import api
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.processes]

CUT = 6.0  # seconds without a database
ANSWERED_WITHIN = timedelta(seconds=30)  # of the database coming back


def send_again_until_taken(post, deadline: float) -> list:
    """A careful client: the same request again (same decision) after an error or a 5xx, until it is answered or
    time is up. What it got, in order: (status code, body) or the error's name."""
    outcomes = []
    while time.monotonic() < deadline:
        try:
            response = post()
        except httpx.HTTPError as error:
            outcomes.append(type(error).__name__)
            time.sleep(0.5)
            continue
        json_body = response.headers.get("Content-Type", "").startswith("application/json")
        outcomes.append((response.status_code, response.json() if json_body else response.text[:200]))
        if response.status_code < 500:
            return outcomes
        time.sleep(0.5)
    return outcomes


@pytest.fixture
def table_lock():
    """Locks a model's table (ACCESS EXCLUSIVE: reads wait too) on a connection of the test's own, until it commits;
    closed at the end, so a failing test leaves no lock behind."""
    opened = []

    def lock(model) -> psycopg.Connection:
        db = connection.settings_dict
        side = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"],
            password=db["PASSWORD"] or None,
        )  # fmt: skip
        opened.append(side)
        side.execute(f"LOCK TABLE {model._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        return side

    yield lock
    for side in opened:
        side.close()


def waiting_on_a_lock(statement_part: str) -> int:
    """How many of the database's sessions wait on a lock in a statement containing `statement_part`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE %s",
            [f"%{statement_part}%"],
        )
        return cursor.fetchone()[0]


def test_a_six_second_database_cut_loses_and_repeats_nothing(
    stack_behind_proxy, database_proxy, outside, table_lock, token_of, tenant, colleague, requester, approver
):
    stack = stack_behind_proxy
    paid_ads = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    campaign = CampaignFactory(tenant=tenant, name="Campaign", daily_budget=Decimal("500.00"))
    approval = request_approval(
        tenant=tenant, agent=paid_ads, action=budget_action(campaign, "600.00"), requested_by=requester
    )
    daphne = stack.daphne()
    daphne.wait_ready()
    writer, decider = api(daphne, token_of(colleague)), api(daphne, token_of(approver))
    questions = [f"How is my campaign doing? ({n})" for n in range(2)]
    conversations = []
    for n, text in enumerate(questions):  # one per conversation: a lease each, so both tasks run at once
        conversation = writer.post("/api/conversations/", json={"channel": "api"}).json()["id"]
        posted = writer.post(
            f"/api/conversations/{conversation}/messages/", json={"message": text, "client_msg_id": f"m{n}"}
        )
        assert posted.status_code == 202, posted.text
        conversations.append(conversation)

    # The answer tasks wait in their first statement (reading their conversation) on the table, which the test holds
    # locked: the cut drops their connections mid-statement.
    rows = table_lock(Conversation)
    worker = stack.worker(concurrency=2)
    worker.wait_ready()
    wait_for(lambda: waiting_on_a_lock("answer_lease") == 2, "both answer tasks to wait on the rows", timeout=60)

    # A decision committed, its answer not yet read back: the after-commit sends wait on the paused Redis.
    decided = []
    approve = lambda: decider.post(f"/api/hitl/approvals/{approval.pk}/approve/", json={})  # noqa: E731
    decide = threading.Thread(target=lambda: decided.extend(send_again_until_taken(approve, time.monotonic() + 60)))
    with contextlib.ExitStack() as cut:
        with stack.redis.paused():
            decide.start()
            wait_for(
                lambda: HITLDecision.objects.filter(approval=approval).exists(), "the decision to commit", timeout=30
            )
            time.sleep(0.5)  # daphne is in the after-commit sends
            cut.enter_context(database_proxy.cut())
        # Redis is back and the database still away: the decision's answer meets the cut; the table is free.
        rows.commit()
        time.sleep(CUT)
    back_at = datetime.now(UTC)
    decide.join(70)
    assert not decide.is_alive(), "the decision was still being sent after 70 s"

    # The decision is answered as committed: 200 (from what the decision returned, or after a 503 the same decision
    # sent again); never a 500, never a 409.
    statuses = [o[0] if isinstance(o, tuple) else o for o in decided]
    assert statuses and statuses[-1] == 200, decided
    assert 500 not in statuses and 409 not in statuses, decided
    assert decided[-1][1]["status"] == "approved", decided
    assert 503 in statuses or decided[-1][1].get("complete") is False, f"the decision did not meet the cut: {decided}"

    # Each message stored once and answered exactly once, within 30 s of the database's return.
    for conversation, text in zip(conversations, questions, strict=True):
        inbound = Message.objects.filter(conversation_id=conversation, direction=Message.Direction.INBOUND)
        replies = Message.objects.filter(
            conversation_id=conversation, direction=Message.Direction.OUTBOUND, in_reply_to__isnull=False
        )
        wait_for(
            lambda replies=replies: replies.exists(),
            f"{text!r} to be answered",
            timeout=max(1.0, (back_at + ANSWERED_WITHIN - datetime.now(UTC)).total_seconds()),
        )
        assert inbound.count() == 1
        (reply,) = replies
        assert reply.in_reply_to_id == inbound.get().pk
        assert reply.created_at <= back_at + ANSWERED_WITHIN
        assert outside.times_asked(text) == 1

    # The approved action carried out once.
    wait_for(
        lambda: HITLApproval.objects.get(pk=approval.pk).status == "executed",
        "the approved action to be carried out",
        timeout=60,
    )
    approval.refresh_from_db()
    assert approval.execution_attempts == 1
    assert approval.history.filter(event_type="executed").count() == 1
    assert approval.decisions.count() == 1
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal("600.00")
    assert worker.alive() and daphne.alive()
