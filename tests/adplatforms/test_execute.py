"""An approved budget, pause or resume of a synced campaign, from the approval through hitl's execution to the ad
platform (an account held in memory): pre-read, drift, validation, the absolute write, the read back, and what is
final or retried."""

import threading
import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from adplatforms import errors
from adplatforms.executor import claim_lease
from adplatforms.models import AdConnection, AdGuardrails, ConnectionState, PlatformCampaign, PlatformChange
from agents.models import AIAgent
from config.celery import app as celery_app
from conversations.models import Message
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.execution import run_execution
from hitl.services.requests import request_approval
from hitl.tasks import execute_approval
from tests.adplatforms.linked import connect, link, synced_campaign
from tests.concurrency import at_once
from tests.factories import CampaignFactory, ConversationFactory, budget_action

Event = HITLApprovalHistory.Event


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


@pytest.fixture
def google(tenant, monkeypatch):
    return connect(tenant, monkeypatch)


@pytest.fixture
def summer(google, campaign):
    """Summer Sale ($500.00 a day) synced from the Google Ads account as campaign 111."""
    connection, memory = google
    campaign.platform = "google"
    campaign.save()
    link(connection, memory, campaign)
    return campaign


@pytest.fixture
def decided(tenant, requester, approver):
    """file(action) -> the approval of `action`, approved and not yet run."""

    def file(action):
        agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
        approval = request_approval(tenant=tenant, agent=agent, action=action, requested_by=requester)
        approve(approval.pk, actor=approver)
        assert fresh(approval).status == "approved"
        return approval

    return file


def status_action(action_type, campaign):
    return budget_action(
        campaign,
        action_type=action_type,
        action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
        summary=f"{action_type} {campaign.name}",
        estimated_cost=Decimal("0"),
    )


def run(approval) -> str:
    return run_execution(approval.pk, max_attempts=5)


def test_an_approved_budget_is_validated_written_and_read_back_on_the_platform(google, summer, decided):
    _connection, memory = google
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "executed"
    assert memory.calls == [
        ("campaign", "111"),
        ("set_daily_budget", "111", 700_000_000, True),  # validated first
        ("set_daily_budget", "111", 700_000_000, False),  # the absolute target, never a delta
        ("campaign", "111"),  # read back
    ]
    done = fresh(approval)
    assert done.status == "executed"
    assert done.execution_result["detail"] == "Summer Sale daily budget $500.00 -> $700.00 on Google Ads (read back)"
    assert done.execution_result["before"] == {"id": str(summer.pk), "daily_budget": "500.00"}
    assert done.execution_result["after"] == {"id": str(summer.pk), "daily_budget": "700.00"}
    outcome = done.execution_result["outcome"]
    assert (outcome["platform"], outcome["before_units"], outcome["after_units"]) == (
        "google",
        500_000_000,
        700_000_000,
    )
    assert outcome["currency"] == "USD" and outcome["written"] is True
    started = done.history.get(event_type=Event.EXECUTION_STARTED)
    assert started.description == "Sending to Google Ads (attempt 1)."
    finished = done.history.get(event_type=Event.EXECUTED)  # what approvers read on the approval and the console
    assert finished.description == "Done: Summer Sale daily budget $500.00 -> $700.00 on Google Ads (read back)"
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("700.00")  # Walker's copy follows what was read back
    assert summer.platform_link.daily_budget_units == 700_000_000
    change = PlatformChange.objects.get(campaign=summer)
    assert (change.before, change.after, change.before_units, change.after_units) == (
        "500.00",
        "700.00",
        500_000_000,
        700_000_000,
    )
    assert str(change.approval_id) == str(approval.pk)


def test_a_budget_already_at_the_target_is_done_without_a_write(google, summer, decided):
    _connection, memory = google
    approval = decided(budget_action(summer, "700.00"))
    set_live_budget(memory, 700_000_000)  # applied by someone else, or by an attempt whose answer was lost
    assert run(approval) == "executed"
    assert memory.writes() == []
    assert "already $700.00 on Google Ads; nothing was written" in fresh(approval).execution_result["detail"]
    assert fresh(approval).execution_result["outcome"]["written"] is False


def set_live_budget(memory, units, external_id="111"):
    memory.remote[external_id] = replace(memory.remote[external_id], daily_budget_units=units)


def test_a_budget_that_moved_since_the_approval_stops_and_asks_for_a_fresh_approval(google, summer, decided):
    _connection, memory = google
    approval = decided(budget_action(summer, "700.00"))
    set_live_budget(memory, 650_000_000)  # someone changed it in Google Ads meanwhile
    assert run(approval) == "failed"
    assert memory.writes() == []
    failed = fresh(approval)
    assert failed.execution_attempts == 1  # final: no retry
    assert failed.execution_error == (
        "Summer Sale's budget is $650.00 on Google Ads now, not the $500.00 the approver saw; ask for a fresh approval"
    )


def test_a_change_the_platform_refuses_in_validation_fails_with_its_words_and_writes_nothing(google, summer, decided):
    _connection, memory = google
    memory.fail_next("set_daily_budget", errors.InvalidRequest("The budget amount is below the minimum", code="X"))
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "failed"
    assert memory.writes() == []
    failed = fresh(approval)
    assert failed.execution_error == "Google Ads refused the change: The budget amount is below the minimum"
    assert failed.execution_attempts == 1
    assert not PlatformChange.objects.exists()


def test_a_write_answered_with_success_that_reads_back_unchanged_fails_as_drifted(google, summer, decided):
    _connection, memory = google
    memory.apply_writes = False
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "failed"
    assert fresh(approval).execution_error == "Google Ads answered success but the budget reads back $500.00"
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("500.00") and not PlatformChange.objects.exists()


def test_no_double_application_after_a_timeout(google, summer, decided):
    """The write went through but its answer was lost: the retry reads the campaign first and writes nothing."""
    _connection, memory = google
    memory.apply_then_fail = "set_daily_budget"
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "retry"
    retrying = fresh(approval)
    assert retrying.execution_status == "retrying" and "did not answer" in retrying.execution_error
    assert run(approval) == "executed"
    assert len(memory.writes()) == 1
    assert "nothing was written" in fresh(approval).execution_result["detail"]
    change = PlatformChange.objects.get(campaign=summer)  # counted once for the guardrails' 24 hours
    assert (change.before, change.after) == ("500.00", "700.00")
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("700.00")


@pytest.fixture
def run_task(monkeypatch):
    """The task as a worker runs it (eager: its retries run at once); what each retry was asked to wait."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    waits = []
    original = execute_approval.retry

    def retry(*args, **kwargs):
        waits.append(kwargs.get("countdown"))
        cache.clear()  # the wait passes: what the shared limiter parked for it (adplatforms.limiter) is over
        return original(*args, **kwargs)

    monkeypatch.setattr(execute_approval, "retry", retry)
    return lambda approval: execute_approval.apply(args=[str(approval.pk)]), waits


def test_a_quota_refusal_is_retried_after_the_delay_the_platform_asked_for(google, summer, decided, run_task):
    _connection, memory = google
    memory.fail_next("campaign", errors.RateLimited("Too many requests", retry_after=120, scope="developer"))
    approval = decided(budget_action(summer, "700.00"))
    task, waits = run_task
    task(approval)
    assert waits == [120]  # the platform's delay, not the 30 s backoff
    done = fresh(approval)
    assert done.status == "executed" and done.execution_attempts == 2
    assert len(memory.writes()) == 1


def test_an_outage_without_a_delay_keeps_the_tasks_backoff(google, summer, decided, run_task):
    _connection, memory = google
    memory.fail_next("campaign", errors.Unavailable("503 Service Unavailable"))
    approval = decided(budget_action(summer, "700.00"))
    task, waits = run_task
    task(approval)
    assert waits == [30]  # Celery's own backoff
    assert fresh(approval).status == "executed"


def test_expired_authorisation_is_final_and_the_connection_waits_for_an_admin(google, summer, decided):
    connection, memory = google
    memory.fail_next(
        "campaign", errors.AuthorizationExpired("Token has been expired or revoked.", code="invalid_grant")
    )
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "failed"
    assert fresh(approval).execution_error == (
        "The Google Ads connection needs re-authorisation: Token has been expired or revoked."
    )
    connection.refresh_from_db()
    assert connection.state == ConnectionState.NEEDS_REAUTHORISATION
    assert connection.state_detail == "Token has been expired or revoked."


@pytest.mark.parametrize(
    ("state", "error"),
    [
        (ConnectionState.DISABLED, "The Google Ads connection is disabled; an admin must enable it first"),
        (ConnectionState.NEEDS_REAUTHORISATION, "The Google Ads connection needs re-authorisation: revoked by Dana"),
    ],
)
def test_a_connection_that_is_off_changes_nothing(google, summer, decided, state, error):
    connection, memory = google
    approval = decided(budget_action(summer, "700.00"))
    connection.state, connection.state_detail = state, "revoked by Dana"
    connection.save()
    assert run(approval) == "failed"
    assert memory.calls == []
    assert fresh(approval).execution_error == error


def test_a_shared_budget_is_refused_at_execution_naming_every_campaign_on_it(google, summer, decided):
    connection, memory = google
    synced_campaign(connection, memory, "Winter Sale", "500.00", "222")
    synced_campaign(connection, memory, "Brand", "500.00", "333")
    approval = decided(budget_action(summer, "700.00"))
    memory.remote["111"] = replace(
        memory.remote["111"], budget_shared=True, campaigns_sharing_budget=("111", "222", "333", "444")
    )
    assert run(approval) == "failed"
    assert memory.writes() == []
    assert fresh(approval).execution_error == (
        "The budget is shared by Summer Sale, 444, Brand and Winter Sale; raise it in Google Ads or give Summer Sale "
        "its own budget"
    )


def test_a_meta_campaign_whose_budget_lives_on_its_ad_sets_is_refused(tenant, monkeypatch, decided):
    connection, memory = connect(tenant, monkeypatch, platform="meta")
    spring = CampaignFactory(tenant=tenant, platform="meta", name="Spring", daily_budget=Decimal("40.00"))
    link(connection, memory, spring, "2385", units=None, budget_level="ad_set")
    approval = decided(budget_action(spring, "50.00"))
    assert run(approval) == "failed"
    assert memory.writes() == []
    assert fresh(approval).execution_error.startswith(
        "Spring has no budget of its own on Meta Ads: its budget lives on"
    )


@pytest.mark.parametrize(
    ("platform", "units_before", "units_after"),
    [("google", 4_000_000_000, 5_000_000_000), ("meta", 4_000, 5_000)],
)
def test_a_yen_budget_is_sent_in_each_platforms_units(
    tenant, monkeypatch, decided, platform, units_before, units_after
):
    connection, memory = connect(tenant, monkeypatch, platform=platform, currency="JPY")
    tokyo = synced_campaign(connection, memory, "Tokyo Launch", "4000", "7")
    assert memory.remote["7"].daily_budget_units == units_before
    approval = decided(budget_action(tokyo, "5000"))
    assert run(approval) == "executed"
    assert memory.writes() == [("set_daily_budget", "7", units_after, False)]
    name = {"google": "Google Ads", "meta": "Meta Ads"}[platform]
    assert (
        fresh(approval).execution_result["detail"]
        == f"Tokyo Launch daily budget ¥4,000 -> ¥5,000 on {name} (read back)"
    )


def test_the_guardrails_are_checked_again_before_writing(google, summer, decided, tenant):
    _connection, memory = google
    approval = decided(budget_action(summer, "700.00"))  # +40%: within the default 50%
    AdGuardrails.objects.filter(pk=AdGuardrails.for_tenant(tenant).pk).update(max_change_percent=25)  # tightened since
    assert run(approval) == "failed"
    assert memory.writes() == []
    assert fresh(approval).execution_error == (
        "Moving Summer Sale's daily budget from $500.00 to $700.00 is a 40% change; your ad guardrails allow at most "
        "25% per change"
    )


def test_the_24_hour_guardrail_counts_the_changes_already_made(google, summer, decided, approver):
    _connection, memory = google
    first = decided(budget_action(summer, "700.00"))
    assert run(first) == "executed"  # +200 of 500
    summer.refresh_from_db()
    second = decided(budget_action(summer, "1000.00"))  # +300: 500 of 500 in 24 hours is 100%, allowed
    assert run(second) == "executed"
    summer.refresh_from_db()
    third = decided(budget_action(summer, "1100.00"))  # +100 more: 120% of the 500 it was
    assert run(third) == "failed"
    assert "already moved $500.00 in the last 24 hours" in fresh(third).execution_error
    assert len(memory.writes()) == 2


def test_pause_and_resume_run_on_the_platform_and_are_read_back(google, summer, decided):
    _connection, memory = google
    paused = decided(status_action("pause_campaign", summer))
    assert run(paused) == "executed"
    assert memory.writes() == [("set_status", "111", "paused", False)]
    assert fresh(paused).execution_result["detail"] == "Paused Summer Sale on Google Ads (read back)"
    summer.refresh_from_db()
    assert summer.status == "paused"
    resumed = decided(status_action("resume_campaign", summer))
    assert run(resumed) == "executed"
    assert memory.remote["111"].status == "active"
    assert fresh(resumed).execution_result["detail"] == "Resumed Summer Sale on Google Ads (read back)"


def test_a_pause_of_a_campaign_already_paused_on_the_platform_writes_nothing(google, summer, decided):
    _connection, memory = google
    approval = decided(status_action("pause_campaign", summer))
    memory.remote["111"] = replace(memory.remote["111"], status="paused")
    assert run(approval) == "executed"
    assert memory.writes() == []
    assert (
        fresh(approval).execution_result["detail"] == "Summer Sale is already paused on Google Ads; nothing was written"
    )


def test_a_campaign_removed_on_the_platform_is_not_resumed(google, summer, decided):
    _connection, memory = google
    approval = decided(status_action("pause_campaign", summer))
    memory.remote["111"] = replace(memory.remote["111"], status="removed")
    assert run(approval) == "failed"
    assert fresh(approval).execution_error == (
        "Summer Sale is removed on Google Ads now, not active as the approver saw; ask for a fresh approval"
    )


def test_a_campaign_kept_in_walker_still_runs_on_the_ledger(google, summer, decided, other_campaign):
    _connection, memory = google
    approval = decided(budget_action(other_campaign, "350.00"))
    assert run(approval) == "executed"
    assert memory.calls == []
    other_campaign.refresh_from_db()
    assert other_campaign.daily_budget == Decimal("350.00")
    assert not fresh(approval).history.filter(event_type=Event.EXECUTION_STARTED).exists()  # in one transaction


def test_another_tenants_linked_campaign_cannot_be_executed(google, decided, other_tenant, monkeypatch):
    theirs_connection, theirs = connect(other_tenant, monkeypatch, platform="meta")
    foreign = CampaignFactory(tenant=other_tenant, platform="meta", name="Their Sale", daily_budget=Decimal("500.00"))
    link(theirs_connection, theirs, foreign, "999")
    approval = decided(budget_action(foreign, "600.00"))  # an id of theirs in our tenant's request
    assert run(approval) == "failed"
    assert theirs.calls == []
    assert fresh(approval).execution_error == "That campaign does not exist in this account"
    foreign.refresh_from_db()
    assert foreign.daily_budget == Decimal("500.00")


def test_the_requester_hears_the_platforms_outcome(google, summer, tenant, requester, approver):
    conversation = ConversationFactory(user=requester)
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(
        tenant=tenant,
        agent=agent,
        action=budget_action(summer, "700.00"),
        requested_by=requester,
        conversation=conversation,
    )
    approve(approval.pk, actor=approver)
    _connection, memory = google
    set_live_budget(memory, 650_000_000)
    assert run(approval) == "failed"
    told = Message.objects.filter(conversation=conversation).order_by("-created_at").first()
    assert "Summer Sale's budget is $650.00 on Google Ads now, not the $500.00 the approver saw" in told.text


def test_two_approved_changes_of_one_campaign_never_interleave(postgres_only, tenant, requester, approver, monkeypatch):
    """Both read $500.00 at once without the campaign's claim and both would write; with it, the second finds the
    campaign claimed and is retried, then reads the first's result, sees that its approver saw another budget, and
    stops."""
    monkeypatch.setattr("hitl.services.decisions.queue_execution", lambda approval, **kwargs: [])
    connection, memory = connect(tenant, monkeypatch)
    summer = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    autumn = synced_campaign(connection, memory, "Autumn Sale", "500.00", "112")
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    up = request_approval(tenant=tenant, agent=agent, action=budget_action(summer, "600.00"), requested_by=requester)
    approve(up.pk, actor=approver)
    # A second request for the same campaign would supersede the first; file it for another and point it back.
    down = request_approval(tenant=tenant, agent=agent, action=budget_action(autumn, "400.00"), requested_by=requester)
    approve(down.pk, actor=approver)
    HITLApproval.objects.filter(pk=down.pk).update(action_data={**down.action_data, "campaign_id": str(summer.pk)})
    released = threading.Event()
    reading = memory.campaign

    def slow_read(external_id):  # the change that claimed first holds its claim across the platform's calls
        released.wait(5)
        return reading(external_id)

    def run_then_release(approval):
        outcome = run_execution(approval.pk, max_attempts=5)
        if outcome == "retry":  # the other change found the claim: let the first one go on
            released.set()
        return outcome

    monkeypatch.setattr(memory, "campaign", slow_read)
    outcomes = at_once(lambda: run_then_release(up), lambda: run_then_release(down))
    assert sorted(outcomes) == ["executed", "retry"]
    waited = down if outcomes[1] == "retry" else up
    assert "is being applied on Google Ads; this one follows it" in fresh(waited).execution_error
    released.set()
    assert run_execution(waited.pk, max_attempts=5) == "failed"  # it reads the first's budget: not what was seen
    assert len(memory.writes()) == 1
    assert PlatformChange.objects.filter(campaign=summer).count() == 1
    assert PlatformCampaign.objects.get(campaign=summer).change_claim is None


def test_no_row_lock_is_held_while_the_platform_is_called(postgres_only, tenant, requester, approver, monkeypatch):
    """During the platform's calls another connection may lock the campaign's link and its approval at once."""
    monkeypatch.setattr("hitl.services.decisions.queue_execution", lambda approval, **kwargs: [])
    connection, memory = connect(tenant, monkeypatch)
    summer = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(
        tenant=tenant, agent=agent, action=budget_action(summer, "600.00"), requested_by=requester
    )
    approve(approval.pk, actor=approver)
    locked_during_calls = []
    reading = memory.campaign

    def read_while_another_locks(external_id):
        def lock():
            with transaction.atomic():
                PlatformCampaign.objects.select_for_update(nowait=True).get(campaign=summer)
                HITLApproval.objects.select_for_update(nowait=True).get(pk=approval.pk)
                locked_during_calls.append(PlatformCampaign.objects.get(campaign=summer).change_claim is not None)
            return "locked"

        assert at_once(lock) == ["locked"]
        return reading(external_id)

    monkeypatch.setattr(memory, "campaign", read_while_another_locks)
    assert run_execution(approval.pk, max_attempts=5) == "executed"
    assert locked_during_calls == [True, True]  # the pre-read and the read back, the claim held through both
    assert PlatformCampaign.objects.get(campaign=summer).change_claim is None


def test_a_claim_left_by_a_worker_that_died_is_taken_over_after_its_lease(google, summer, decided):
    _connection, memory = google
    held = PlatformCampaign.objects.filter(campaign=summer)
    held.update(change_claim=uuid.uuid4(), change_claimed_at=timezone.now())
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "retry" and memory.calls == []  # claimed by a live change: nothing asked of the platform
    held.update(change_claimed_at=timezone.now() - claim_lease() - timedelta(seconds=1))
    assert run(approval) == "executed"
    assert memory.writes() == [("set_daily_budget", "111", 700_000_000, False)]
    assert held.get().change_claim is None


def test_a_connection_paused_for_quota_waits_until_the_pause_ends(google, summer, decided, run_task):
    connection, memory = google
    connection.state = ConnectionState.PAUSED_FOR_QUOTA
    connection.paused_until = timezone.now() + timedelta(minutes=10)
    connection.save()
    approval = decided(budget_action(summer, "700.00"))
    assert run(approval) == "retry"
    assert memory.calls == []  # nothing asked of the platform while its quota rests
    assert "paused for quota until" in fresh(approval).execution_error
    AdConnection.objects.filter(pk=connection.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    task, waits = run_task
    task(approval)
    assert fresh(approval).status == "executed" and waits == []


def test_the_task_waits_as_long_as_the_pause_lasts(google, summer, decided, run_task):
    connection, memory = google
    connection.state = ConnectionState.PAUSED_FOR_QUOTA
    connection.paused_until = timezone.now() + timedelta(minutes=10)
    connection.save()
    approval = decided(budget_action(summer, "700.00"))
    task, waits = run_task
    task(approval)
    assert len(waits) == 4 and all(590 <= wait <= 600 for wait in waits)  # every retry: the pause, not the backoff
    assert fresh(approval).status == "failed" and memory.calls == []  # out of attempts while it lasted
