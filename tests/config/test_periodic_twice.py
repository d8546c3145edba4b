"""Every periodic task is safe twice over: run by two beat processes (or workers) at once, or once more after that,
it leaves what one run leaves: no double notification, escalation, brief, answer or removal, counts right.

Each test sets up real work for one beat task, runs the task itself twice at once in threads (each on its own
connection, `tests.concurrency.at_once`), checks the outcome is one run's, then runs it a third time and checks
nothing changes. A beat entry without such a test fails `test_every_beat_entry_is_run_twice_here`.
"""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from adplatforms.models import AccountReconciliation, AdConnection, PerformanceRule
from adplatforms.platform import AccountDay
from adplatforms.recommendations.models import PlatformRecommendation
from adplatforms.tasks import (
    reconcile_accounts,
    reconcile_connection,
    run_due_rules,
    settle_recommendations,
    sync_due_connections,
)
from alerts.models import AlertIncident, AlertNotice, AlertRule
from alerts.tasks import evaluate_rules
from analytics.events import record
from analytics.models import ConversationMetrics, EventType, HITLAnalytics, PlatformEvent
from briefs.models import DailyBrief
from briefs.tasks import send_due_briefs_task
from config.celery import app as celery_app
from conversations import pipeline
from conversations.models import Conversation, ConversationEvent, ConversationNote, Message, SatisfactionSurvey
from conversations.normalized import InboundMessage
from conversations.pipeline.answering import lease_duration
from conversations.tasks import (
    answer_stragglers,
    apply_message_retention,
    close_quiet_conversations,
    prune_chat_events,
)
from hitl.callbacks import LOST_AFTER
from hitl.models import DecisionCallback, HITLApproval, HITLApprovalHistory, HITLNotification
from hitl.services.decisions import approve, reject
from hitl.tasks import process_deadlines, read_back_silent_executions, recover_executions, requeue_lost_callbacks
from reports.tasks import aggregate_approvals, refresh_conversation_metrics
from tenants.models import AccessLog, Tenant
from tenants.tasks import clear_expired_sessions, flush_expired_tokens, purge_access_logs
from tests.action_types.conftest import registered
from tests.adplatforms.conftest import google_ads  # noqa: F401 (a fixture)
from tests.adplatforms.linked import connect, synced_campaign
from tests.adplatforms.memory_platform import MemoryPlatform
from tests.analytics.conftest import approval as approval_row
from tests.analytics.conftest import conversation as conversation_row
from tests.analytics.conftest import exchange as exchange_rows
from tests.approval_requests.conftest import URL, ask, client_of
from tests.concurrency import at_once
from tests.factories import (
    CampaignDailyStatFactory,
    CampaignFactory,
    ConversationFactory,
    EmailPreferenceFactory,
    MessageFactory,
    UserFactory,
)
from tests.pipeline import hold_answer_tasks
from tests.recommendations.helpers import budget_recommendation, connected
from tests.warehouse.conftest import service_account_key
from tests.warehouse.fake_bigquery import FakeBigQuery
from warehouse.models import WarehouseDestination
from warehouse.tasks import export_to_warehouses

pytestmark = pytest.mark.postgres("two runs at once, each on its own connection, with real row locks")

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
COVERED: set[str] = set()


def twice(task):
    """Mark a test as the twice-test of `task`'s beat entry."""
    COVERED.add(task.name)
    return lambda test: test


def both(task):
    """The task run twice at once, as two beat processes would: each run's result."""
    return at_once(task, task)


def test_every_beat_entry_is_run_twice_here():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    missing = sorted(scheduled - COVERED)
    assert missing == [], f"periodic tasks without a twice-test in {__name__}: {missing}"


def summed(first: dict, second: dict, step: str) -> int:
    """What two deadline sweeps did of one step together (a sweep that did nothing of it leaves it out)."""
    return first.get(step, 0) + second.get(step, 0)


# --- notifications --------------------------------------------------------------------------------


@twice(process_deadlines)
def test_deadlines_breach_remind_escalate_and_expire_once(postgres_only, ask, workflow, tenant, approver, tenant_admin):
    workflow(sla_hours=4, escalation_hours=5, reminder_frequency_hours=2, max_reminders=3, expire_hours=12)
    with time_machine.travel(START, tick=False):
        filed = [ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00"))) for _ in range(5)]
    asked = HITLNotification.objects.count()

    with time_machine.travel(START + 6 * H, tick=False):  # past the SLA, a reminder and the escalation
        first, second = both(process_deadlines)
    assert summed(first, second, "breached") == len(filed)
    assert summed(first, second, "escalated") == len(filed)
    assert summed(first, second, "reminded") == len(filed)  # one late reminder each, not a burst
    history = HITLApprovalHistory.objects.filter(approval__in=filed)
    for event in ("sla_breached", "escalated", "reminder"):
        assert history.filter(event_type=event).count() == len(filed), event
    assert set(HITLApproval.objects.filter(pk__in=[a.pk for a in filed]).values_list("reminder_count", flat=True)) == {
        1
    }
    notices = HITLNotification.objects.filter(approval__in=filed)
    assert notices.filter(event="escalated").count() == len(filed)  # to the tenant admin, once each
    assert notices.filter(event="reminder").count() == len(filed)
    told = notices.count()

    with time_machine.travel(START + 6 * H, tick=False):
        assert process_deadlines() == {}  # once more: nothing is due
    with time_machine.travel(START + 13 * H, tick=False):  # past the end
        first, second = both(process_deadlines)
        assert process_deadlines() == {}
    assert summed(first, second, "expired") == len(filed)
    assert history.filter(event_type="expired").count() == len(filed)
    assert set(HITLApproval.objects.filter(pk__in=[a.pk for a in filed]).values_list("status", flat=True)) == {
        "expired"
    }
    assert HITLNotification.objects.count() - told == notices.filter(event="decided").count() > 0
    assert told > asked
    each = list(notices.values_list("approval", "recipient", "channel", "event", "reminder_number"))
    assert len(each) == len(set(each))  # nobody told the same thing twice


@twice(requeue_lost_callbacks)
def test_lost_decision_callbacks_are_sent_again_and_posted_once(
    postgres_only, tenant, tenant_admin, approver, loopback_receivers, httpserver
):
    tenant.action_webhook_secret = "whsec-twice-3b9e"
    tenant.save()
    registered(tenant)
    agent = client_of(tenant_admin)
    httpserver.expect_request("/decided").respond_with_data("ok")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("hitl.callbacks.after_commit", lambda *task, **options: None)  # every task lost
        for n in range(2):
            filed = agent.post(URL, ask(callback_url=httpserver.url_for("/decided"), idempotency_key=f"k{n}"), "json")
            approve(filed.json()["id"], actor=approver)
    DecisionCallback.objects.update(due_at=timezone.now() - LOST_AFTER - H)

    first, second = both(requeue_lost_callbacks)  # each sent task runs at once (eager), in its sweep's thread
    assert first + second == 2
    assert requeue_lost_callbacks() == 0
    assert set(DecisionCallback.objects.values_list("status", flat=True)) == {"delivered"}
    keys = [request.headers["Idempotency-Key"] for request, _ in httpserver.log]
    assert len(keys) == len(set(keys)) == 2


@twice(recover_executions)
def test_stalled_executions_are_sent_again_and_run_once(postgres_only, ask, tenant, approver, settings):
    lost = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(celery_app.tasks["hitl.tasks.execute_approval"], "delay", lambda *args: None)  # lost
        for _ in range(4):
            approval = ask(of=CampaignFactory(tenant=tenant, daily_budget=Decimal("500.00")))
            approve(approval.pk, actor=approver)
            lost.append(approval.pk)
    long_ago = timezone.now() - timedelta(minutes=settings.EXECUTION_RECOVERY_MINUTES + 1)
    HITLApproval.objects.filter(pk__in=lost).update(
        status="approved", execution_status="queued", execution_queued_at=long_ago
    )  # as a killed ledger run leaves them

    first, second = both(recover_executions)  # each sent task runs at once (eager), in its sweep's thread
    assert first + second == len(lost)
    assert recover_executions() == 0
    approvals = HITLApproval.objects.filter(pk__in=lost)
    assert set(approvals.values_list("status", flat=True)) == {"executed"}
    history = HITLApprovalHistory.objects.filter(approval__in=lost)
    assert history.filter(event_type="execution_requeued").count() == len(lost)
    assert history.filter(event_type="executed").count() == len(lost)


@twice(read_back_silent_executions)
def test_silent_ad_platform_changes_are_read_back_once(postgres_only, ask, tenant, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(celery_app.tasks["hitl.tasks.execute_approval"], "delay", lambda *args: None)
        for n in range(4):
            campaign = synced_campaign(connection, memory, f"Campaign {n}", "500.00", f"{100 + n}")
            approve(ask(of=campaign).pk, actor=approver)
    silent = list(HITLApproval.objects.filter(status="approved").values_list("pk", flat=True))
    for external_id in memory.remote:  # each worker died after the platform applied its change
        memory.remote[external_id] = replace(memory.remote[external_id], daily_budget_units=700_000_000)
    long_ago = timezone.now() - timedelta(seconds=settings.PLATFORM_CHANGE_LEASE_SECONDS + 1)
    HITLApproval.objects.filter(pk__in=silent).update(
        status="executing", execution_status="running", execution_attempts=1, execution_started_at=long_ago
    )  # as a worker killed mid-call leaves them

    first, second = both(read_back_silent_executions)
    assert first + second == len(silent) == 4
    assert read_back_silent_executions() == 0
    assert set(HITLApproval.objects.filter(pk__in=silent).values_list("status", flat=True)) == {"executed"}
    assert HITLApprovalHistory.objects.filter(approval__in=silent, event_type="executed").count() == len(silent)


@twice(evaluate_rules)
def test_alert_rules_open_each_incident_once(postgres_only, tenant, tenant_admin):
    rules = [
        AlertRule.objects.create(
            tenant=tenant, name=f"SLA {n}", kind="sla_breaches", threshold=n, notify_roles=["admin"],
            notify_channels=["email"],
        )
        for n in range(3)
    ]  # fmt: skip
    for _ in range(2):
        record(EventType.SLA_BREACHED, tenant=tenant)

    first, second = both(evaluate_rules)
    assert first.get("opened", 0) + second.get("opened", 0) == 2  # above 0 and 1, not above 2
    assert evaluate_rules() == {"ongoing": 2, "quiet": 1}
    assert AlertIncident.objects.filter(rule__in=rules).count() == 2
    assert AlertNotice.objects.filter(recipient=tenant_admin).count() == 2  # one notice per incident


# --- answers --------------------------------------------------------------------------------------


@twice(answer_stragglers)
def test_lost_answers_are_answered_once(postgres_only, tenant, engine):
    people = [UserFactory(tenant=tenant, role="member") for _ in range(4)]
    with pytest.MonkeyPatch.context() as patch:
        hold_answer_tasks(patch)  # the broker lost every answer task
        asked = [
            pipeline.accept(InboundMessage(channel="chat", text=text, user_id=person.pk), user=person).message
            for person in people
            for text in ("hello", "and another thing")
        ]
    engine.seconds = 0.05  # long enough for the two sweeps' answers to overlap

    # Lost with the leases their messages' intake gave them: the sweep finds them once those run out.
    with time_machine.travel(timezone.now() + lease_duration() + timedelta(seconds=1)):
        first, second = both(answer_stragglers)  # each task found is answered at once (eager), in its thread
        assert answer_stragglers() == 0
    assert len(people) <= first + second <= 2 * len(people)  # both may find one; the answer lease lets one answer
    for message in asked:
        assert Message.objects.filter(in_reply_to=message, direction="outbound").count() == 1, message.text
    conversations = Conversation.objects.filter(user__in=people)
    assert {(c.answered_seq == c.last_inbound_seq, c.answer_lease, c.answer_attempts) for c in conversations} == {
        (True, None, 0)  # no attempt counted against the next message by the run that found nothing
    }


# --- bulk ----------------------------------------------------------------------------------------


@twice(send_due_briefs_task)
def test_due_briefs_are_sent_once(postgres_only, tenant, sent_emails):
    readers = [UserFactory(tenant=tenant, role="approver") for _ in range(6)]
    for person in readers:
        EmailPreferenceFactory(user=person, timezone="UTC", delivery_time=time(8, 0))
    with time_machine.travel(START, tick=False):  # 09:00 UTC: every reader's brief is due
        first, second = both(send_due_briefs_task)
        assert send_due_briefs_task() == 0
    assert first + second == len(readers)
    assert DailyBrief.objects.filter(status="sent").count() == len(readers)
    assert sorted(email.to for email in sent_emails) == sorted(person.email for person in readers)


@twice(refresh_conversation_metrics)
def test_conversation_metrics_are_computed_once(postgres_only, tenant, colleague):
    talks = []
    for n in range(3):
        talk = conversation_row(colleague, started_at=timezone.now() - H)
        exchange_rows(talk, timezone.now() - H + timedelta(minutes=n), wait=timedelta(seconds=2))
        exchange_rows(talk, timezone.now() - H + timedelta(minutes=n + 5), wait=timedelta(seconds=4), agent_type="seo")
        record(EventType.CONVERSATION_OPENED, tenant=tenant, conversation_id=talk.pk)
        talks.append(talk)

    both(refresh_conversation_metrics)
    refresh_conversation_metrics()
    rows = ConversationMetrics.objects.filter(conversation_id__in=[t.pk for t in talks])
    assert rows.count() == len(talks)
    assert {(row.message_count, tuple(row.agent_types)) for row in rows} == {(4, ("paid_ads", "seo"))}
    assert PlatformEvent.objects.filter(event_type=EventType.HANDOFF).count() == len(talks)  # one each, not two


@twice(aggregate_approvals)
def test_approval_periods_are_aggregated_once(postgres_only, tenant):
    today = timezone.now()
    for status in ("expired", "rejected", "expired"):
        row = approval_row(tenant, requested_at=today - timedelta(days=3), status=status)
        record(EventType.APPROVAL_EXPIRED if status == "expired" else EventType.APPROVAL_REJECTED, tenant=tenant,
               subject_id=row.pk)  # fmt: skip

    both(aggregate_approvals)
    aggregate_approvals()
    days = HITLAnalytics.objects.filter(tenant=tenant, period_type="day")
    assert days.count() == len(set(days.values_list("period_start", flat=True)))  # one row per period
    request_day = days.get(total_requests__gt=0)
    assert (request_day.total_requests, request_day.total_expired, request_day.total_rejected) == (3, 2, 1)


@twice(prune_chat_events)
def test_chat_events_past_the_window_are_pruned_once(postgres_only, colleague):
    talk = ConversationFactory(user=colleague)
    old = timezone.now() - timedelta(days=settings.CHAT_EVENT_RETENTION_DAYS + 1)
    for seq in range(1, 31):
        event = ConversationEvent.objects.create(conversation=talk, seq=seq, event_type="message_received", payload={})
        if seq <= 20:
            ConversationEvent.objects.filter(pk=event.pk).update(created_at=old)

    first, second = both(prune_chat_events)
    assert first + second == 20 and prune_chat_events() == 0
    assert sorted(ConversationEvent.objects.values_list("seq", flat=True)) == list(range(21, 31))


@twice(close_quiet_conversations)
def test_quiet_conversations_are_closed_and_their_people_asked_once(postgres_only, colleague, monkeypatch):
    monkeypatch.setattr("conversations.quiet.BATCH", 4)  # two runs' batches together take all six, none twice
    quiet_since = timezone.now() - timedelta(hours=settings.SATISFACTION_QUIET_HOURS, minutes=1)
    quiet = [ConversationFactory(user=UserFactory(tenant=colleague.tenant)) for _ in range(6)]
    Conversation.objects.filter(pk__in=[c.pk for c in quiet]).update(
        answered_seq=2, last_inbound_seq=2, last_message_at=quiet_since
    )

    first, second = both(close_quiet_conversations)
    assert first + second == 6 and close_quiet_conversations() == 0
    assert SatisfactionSurvey.objects.count() == 6
    assert PlatformEvent.objects.filter(event_type=EventType.SATISFACTION_ASKED).count() == 6
    assert PlatformEvent.objects.filter(event_type=EventType.CONVERSATION_CLOSED).count() == 6


@twice(apply_message_retention)
def test_message_content_past_the_period_is_removed_once(postgres_only, tenant, colleague, monkeypatch):
    monkeypatch.setattr("conversations.retention.BATCH_SIZE", 5)  # several batches, which both runs contend for
    Tenant.objects.filter(pk=tenant.pk).update(message_retention_days=30)
    talk = ConversationFactory(user=colleague)
    long_ago = timezone.now() - timedelta(days=31)
    old = [MessageFactory(conversation=talk, text=f"old {n}", created_at=long_ago) for n in range(17)]
    recent = [MessageFactory(conversation=talk, text=f"new {n}") for n in range(3)]
    note = ConversationNote.objects.create(tenant=tenant, conversation=talk, author=colleague, text="call her")
    ConversationNote.objects.filter(pk=note.pk).update(created_at=long_ago)

    first, second = both(apply_message_retention)
    assert first + second == len(old) and apply_message_retention() == 0
    emptied = Message.objects.filter(pk__in=[m.pk for m in old])
    assert {m.text for m in emptied} == {"[Removed after 30 days under the retention policy]"}
    assert sorted(m.text for m in Message.objects.filter(pk__in=[m.pk for m in recent])) == ["new 0", "new 1", "new 2"]
    assert ConversationNote.objects.get(pk=note.pk).content_removed_at is not None


def access_record(tenant, actor, *, days_ago):
    """An access record placed in the past below the model (the log refuses updates; superuser in tests)."""
    row = AccessLog.objects.create(
        tenant=tenant, actor=actor, actor_ref="ref", action="viewed", object_type="x", object_id="1",
        object_repr="x", path="/",
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {AccessLog._meta.db_table} SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=days_ago), row.pk],
        )
    return row


@twice(purge_access_logs)
def test_access_records_past_the_period_are_purged_once(postgres_only, tenant, colleague):
    Tenant.objects.filter(pk=tenant.pk).update(access_log_retention_days=100)
    for _ in range(12):
        access_record(tenant, colleague, days_ago=101)
    kept = {access_record(tenant, colleague, days_ago=99).pk, access_record(tenant, colleague, days_ago=1).pk}

    first, second = both(purge_access_logs)
    assert first + second == 12 and purge_access_logs() == 0
    assert set(AccessLog.objects.values_list("pk", flat=True)) == kept


@twice(clear_expired_sessions)
def test_expired_sessions_are_cleared_once(postgres_only):
    now = timezone.now()
    for n in range(25):
        Session.objects.create(session_key=f"old{n}", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + timedelta(days=1))

    both(clear_expired_sessions)
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


# --- ad platforms ---------------------------------------------------------------------------------


@twice(sync_due_connections)
def test_due_ad_platform_syncs_are_queued_once(postgres_only, tenant, make_connection, monkeypatch):
    connections = [make_connection(tenant, account_id=f"{n:010d}") for n in range(8)]
    queued = []
    monkeypatch.setattr("adplatforms.tasks.after_commit", lambda task, pk: queued.append(pk))
    first, second = both(sync_due_connections)
    assert first + second == len(connections)
    assert sorted(queued) == sorted(str(c.pk) for c in connections)  # each connection once
    assert sync_due_connections() == 0
    assert len(queued) == len(connections)


@twice(run_due_rules)
def test_due_performance_rules_file_each_proposal_once(postgres_only, tenant):
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=UTC), tick=False):
        yesterday = timezone.localdate(timezone=ZoneInfo(tenant.timezone)) - timedelta(days=1)
        for n in range(3):
            campaign = CampaignFactory(tenant=tenant, name=f"Brand {n}")
            CampaignDailyStatFactory(campaign=campaign, date=yesterday, spend=Decimal("100"), conversions=1)
        PerformanceRule.objects.create(
            tenant=tenant, name="High CPA", metric="cpa", comparison="gt", threshold=Decimal("60"), currency="USD",
            schedule="hourly", action="pause",
        )  # fmt: skip
        first, second = both(run_due_rules)
        assert sorted([first, second]) == [0, 1]  # the rule was claimed by one run
        assert HITLApproval.objects.filter(action_type="pause_campaign").count() == 3
        assert run_due_rules() == 0  # its next run is on the hour


@twice(reconcile_accounts)
def test_ad_accounts_are_reconciled_once_a_day(postgres_only, tenant, make_connection, accounts, monkeypatch):
    yesterday = timezone.now().date() - timedelta(days=1)
    connections = [make_connection(tenant, account_id=f"{n:010d}", synced_through=yesterday) for n in range(4)]
    for each in connections:
        AdConnection.objects.filter(pk=each.pk).update(currency="USD", time_zone="UTC")
        # The platform counts $5.00 yesterday that no campaign row in Walker holds: one mismatched day each.
        account = accounts.setdefault(each.account_id, MemoryPlatform())
        account.totals = {yesterday: AccountDay(yesterday, 10, 1, Decimal("5.00"), Decimal(0), Decimal(0))}
    queued = []
    monkeypatch.setattr("adplatforms.tasks.after_commit", lambda task, pk: queued.append(pk))
    first, second = both(reconcile_accounts)
    assert first + second == len(connections)
    assert sorted(queued) == sorted(str(c.pk) for c in connections)  # each connection once
    for pk in queued:
        reconcile_connection(pk)
    assert AccountReconciliation.objects.filter(matches=False, date=yesterday).count() == len(connections)
    assert reconcile_accounts() == 0
    assert len(queued) == len(connections)


@twice(settle_recommendations)
def test_a_rejected_recommendation_is_dismissed_on_google_once(postgres_only, tenant, approver, google_ads):  # noqa: F811
    for n, campaign_id in enumerate(("120", "111")):
        budget_recommendation(google_ads, rec_id=f"r{n}", campaign_id=campaign_id, micros=55_000_000)
    connected(google_ads, tenant)  # 120's is proposed; 111's (a shared budget) is kept but not proposed
    reject(PlatformRecommendation.objects.get(approval__isnull=False).approval_id, actor=approver, reason="No")
    first, second = both(settle_recommendations)
    assert first + second == 1
    assert len([r for r in google_ads.ads_requests() if r.path.endswith("recommendations:dismiss")]) == 1
    assert settle_recommendations() == 0


# --- API tokens -----------------------------------------------------------------------------------


@twice(flush_expired_tokens)
def test_expired_refresh_tokens_are_flushed_once(postgres_only, tenant_admin):
    now = timezone.now()
    expired = OutstandingToken.objects.bulk_create(
        OutstandingToken(user=tenant_admin, jti=f"gone-{n}", token="t", expires_at=now - H) for n in range(40)
    )
    BlacklistedToken.objects.bulk_create(BlacklistedToken(token=row) for row in expired[:10])
    kept = OutstandingToken.objects.create(user=tenant_admin, jti="kept", token="t", expires_at=now + H)
    first, second = both(flush_expired_tokens)
    assert first + second == len(expired)  # each expired token deleted by one of the two
    assert list(OutstandingToken.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not BlacklistedToken.objects.exists()
    assert flush_expired_tokens() == 0


# --- warehouse ------------------------------------------------------------------------------------


@pytest.mark.slow
@twice(export_to_warehouses)
def test_events_go_to_each_warehouse_once(postgres_only, tenant, settings):
    fake = FakeBigQuery().start()
    settings.WAREHOUSE_BIGQUERY_API_ENDPOINT, settings.WAREHOUSE_TOKEN_URI = fake.url, fake.token_url
    settings.WAREHOUSE_LAG_SECONDS, settings.WAREHOUSE_BATCH_ROWS, settings.WAREHOUSE_BATCHES_PER_RUN = 0, 4, 3
    fake.load_delay = 0.2
    try:
        sent = [record(EventType.MESSAGE_RECEIVED, tenant=tenant, channel="chat") for _ in range(10)]
        own, everyone = (
            WarehouseDestination.objects.create(
                tenant=owner, project="acme-data", dataset_name=name, service_account_key=service_account_key()
            )
            for owner, name in ((tenant, "acme"), (None, "everything"))
        )
        first, second = both(export_to_warehouses)
        for destination in (own, everyone):
            assert first.get(str(destination.pk), 0) + second.get(str(destination.pk), 0) == len(sent)
            rows = fake.rows("acme-data", destination.dataset_name, "platform_events")
            assert sorted(row["event_id"] for row in rows) == sorted(str(e.pk) for e in sent)
        jobs = fake.loads("platform_events")
        assert len(jobs) == len(set(jobs)) == 2 * 3  # three batches each, no batch's job started twice
        assert export_to_warehouses() == {str(own.pk): 0, str(everyone.pk): 0}
    finally:
        fake.stop()
