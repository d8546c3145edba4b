"""An approved ad-platform change whose worker died mid-call (issue 46, point 10): once its lease has run out, the
sweep reads the campaign back from the platform (Meta's Graph API faked on 127.0.0.1) and ends the approval as the
platform says: applied, not applied (failed, safe to run again) or drifted (failed, said so). Never left
"executing"."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation

from adplatforms.meta.client import MetaAdsClient
from adplatforms.models import AdConnection, PlatformCampaign, PlatformChange
from adplatforms.simulator.meta import TOKEN
from agents.models import AIAgent
from config.celery import app as celery_app
from hitl.errors import DecisionError
from hitl.models import HITLApproval, HITLApprovalHistory
from hitl.services.decisions import approve
from hitl.services.execution import abandon_execution, run_execution
from hitl.services.read_back import read_back_silent
from hitl.services.requests import request_approval
from hitl.timeline import history
from tests.concurrency import at_once
from tests.factories import CampaignFactory, budget_action

Event = HITLApprovalHistory.Event
MEANWHILE = 65_000  # $650.00: what someone set in Meta's own tools while the worker was dead


class WorkerDied(BaseException):
    """A SIGKILLed worker, seen from inside: the call never returns, nothing after it runs."""


def fresh(approval):
    return HITLApproval.objects.get(pk=approval.pk)


def past_the_lease(seconds=1):
    moment = timezone.now() + timedelta(seconds=settings.PLATFORM_CHANGE_LEASE_SECONDS + seconds)
    return time_machine.travel(moment)


@pytest.fixture
def summer(tenant, meta_ads):
    """Summer Sale, $572.00 a day, synced from a Meta ad account (faked on loopback) as campaign 2001."""
    meta_ads.add_account("act_123", currency="USD")
    meta_ads.add_campaign("2001", "Summer Sale", daily_budget=57_200)
    connection = AdConnection.objects.create(
        tenant=tenant, platform="meta", account_id="act_123", currency="USD", access_token=TOKEN
    )
    campaign = CampaignFactory(
        tenant=tenant, platform="meta", name="Summer Sale", daily_budget=Decimal("572.00"), currency="USD"
    )
    PlatformCampaign.objects.create(
        tenant=tenant,
        connection=connection,
        campaign=campaign,
        external_id="2001",
        budget_id="2001",
        daily_budget_units=57_200,
        synced_at=timezone.now(),
    )
    return campaign


@pytest.fixture
def raise_to_600(tenant, requester, approver, summer, monkeypatch):
    """Approved, its execution not yet run (the test runs it: on a committing database its task would run now)."""
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    approval = request_approval(
        tenant=tenant, agent=agent, action=budget_action(summer, "600.00"), requested_by=requester
    )
    with monkeypatch.context() as patch:
        patch.setattr(celery_app.tasks["hitl.tasks.execute_approval"], "delay", lambda *args: None)
        approve(approval.pk, actor=approver)
    assert fresh(approval).status == "approved"
    return approval


def killed(approval, monkeypatch, *, after_the_write: bool):
    """Run the execution; the worker dies in Meta's write, before or after Meta applied it. It leaves what a SIGKILL
    leaves: the approval executing, the campaign's claim held."""
    write = MetaAdsClient._write

    def dying(client, campaign, changes, validate_only):
        if validate_only:
            return write(client, campaign, changes, validate_only)
        if after_the_write:
            write(client, campaign, changes, validate_only)
        raise WorkerDied

    with monkeypatch.context() as patch:
        patch.setattr(MetaAdsClient, "_write", dying)
        with pytest.raises(WorkerDied):
            run_execution(approval.pk, max_attempts=5)
    silent = fresh(approval)
    assert (silent.status, silent.execution_status) == ("executing", "running")
    # The dead worker never gave the campaign's claim back (its `finally` ran here only because this is no SIGKILL).
    PlatformCampaign.objects.filter(campaign_id=silent.action_data["campaign_id"]).update(
        change_claim=uuid.uuid4(), change_claimed_at=silent.execution_started_at
    )
    return silent


def budget_of(meta_ads) -> int:
    return int(meta_ads.campaigns["2001"]["daily_budget"])


def test_a_change_meta_applied_before_the_worker_died_is_read_back_as_done(raise_to_600, summer, meta_ads, monkeypatch):
    killed(raise_to_600, monkeypatch, after_the_write=True)
    assert budget_of(meta_ads) == 60_000
    with past_the_lease():
        assert read_back_silent() == 1
    done = fresh(raise_to_600)
    assert (done.status, done.execution_status) == ("executed", "succeeded")
    assert done.execution_result["after"] == {"id": str(summer.pk), "daily_budget": "600.00"}
    assert done.execution_result["outcome"]["after_units"] == 60_000
    assert "read back" in done.execution_result["detail"]
    (row,) = done.history.filter(event_type=Event.EXECUTED)
    assert row.previous_status == "executing" and row.new_status == "executed"
    assert row.metadata == {"read_back": "applied"}
    assert row.description == (
        "Done: Summer Sale daily budget $572.00 -> $600.00 on Meta Ads (read back after the worker went silent)"
    )
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("600.00")  # Walker shows what Meta holds
    assert summer.platform_link.daily_budget_units == 60_000
    assert summer.platform_link.change_claim is None  # the dead worker's claim is given back
    change = PlatformChange.objects.get(campaign=summer)  # counted in the guardrails' 24 hours, once
    assert (change.before, change.after, str(change.approval_id)) == ("572.00", "600.00", str(raise_to_600.pk))
    assert len(meta_ads.requests_to("2001", "POST")) == 2  # the validation and the one write: nothing resent


def test_a_change_meta_never_got_fails_as_safe_to_run_again(raise_to_600, summer, meta_ads, monkeypatch):
    killed(raise_to_600, monkeypatch, after_the_write=False)
    assert budget_of(meta_ads) == 57_200
    with past_the_lease():
        assert read_back_silent() == 1
    failed = fresh(raise_to_600)
    assert (failed.status, failed.execution_status) == ("failed", "failed")
    assert failed.execution_error == (
        "Meta Ads still holds Summer Sale's daily budget at $572.00, the amount the approver saw: the change was not "
        "applied, and it is safe to run it again"
    )
    (row,) = failed.history.filter(event_type=Event.EXECUTION_FAILED)
    assert row.metadata == {"read_back": "not_applied"} and row.previous_status == "executing"
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("572.00")
    assert not PlatformChange.objects.filter(campaign=summer).exists()
    assert summer.platform_link.change_claim is None


def test_a_budget_changed_elsewhere_meanwhile_fails_as_drifted(raise_to_600, summer, meta_ads, monkeypatch):
    killed(raise_to_600, monkeypatch, after_the_write=True)
    meta_ads.campaigns["2001"]["daily_budget"] = str(MEANWHILE)
    with past_the_lease():
        assert read_back_silent() == 1
    drifted = fresh(raise_to_600)
    assert drifted.status == "failed"
    assert drifted.execution_error == (
        "Drifted: Meta Ads holds Summer Sale's daily budget at $650.00, neither the $572.00 the approver saw nor the "
        "approved $600.00; ask for a fresh approval"
    )
    (row,) = drifted.history.filter(event_type=Event.EXECUTION_FAILED)
    assert row.metadata == {"read_back": "drifted"}
    summer.refresh_from_db()
    assert summer.daily_budget == Decimal("650.00")  # the platform's value, not the approved one
    assert summer.platform_link.daily_budget_units == MEANWHILE


def test_an_attempt_inside_its_lease_is_never_touched(raise_to_600, meta_ads, monkeypatch, tenant_admin):
    silent = killed(raise_to_600, monkeypatch, after_the_write=True)
    asked = len(meta_ads.requests)
    history = silent.history.count()
    with past_the_lease(seconds=-5):
        assert read_back_silent() == 0
    assert len(meta_ads.requests) == asked  # not even read
    still = fresh(raise_to_600)
    assert (still.status, still.execution_status, still.history.count()) == ("executing", "running", history)
    with pytest.raises(DecisionError) as refused:  # nor may a person give up on it yet
        abandon_execution(raise_to_600.pk, actor=tenant_admin)
    assert refused.value.code == "not_stuck"
    assert f"{settings.PLATFORM_CHANGE_LEASE_SECONDS} seconds" in refused.value.detail


def test_the_sweep_run_twice_ends_it_once(raise_to_600, meta_ads, monkeypatch):
    killed(raise_to_600, monkeypatch, after_the_write=True)
    with past_the_lease():
        assert read_back_silent() == 1
        assert read_back_silent() == 0
    done = fresh(raise_to_600)
    assert done.status == "executed"
    assert done.history.filter(event_type__in=[Event.EXECUTED, Event.EXECUTION_FAILED]).count() == 1


def test_a_platform_that_cannot_be_read_leaves_it_for_a_person_who_may_then_mark_it_failed(
    raise_to_600, meta_ads, monkeypatch, tenant_admin
):
    silent = killed(raise_to_600, monkeypatch, after_the_write=True)
    history = silent.history.count()
    meta_ads.fail("server_error", method="GET", path="2001", times=10)
    with past_the_lease():
        assert read_back_silent() == 0
        still = fresh(raise_to_600)
        assert (still.status, still.history.count()) == ("executing", history)  # no noise on every sweep
        # Past its lease the attempt can no longer write, so nobody waits EXECUTION_STUCK_MINUTES to give up on it.
        abandon_execution(raise_to_600.pk, actor=tenant_admin)
    assert fresh(raise_to_600).status == "failed"


def test_an_attempt_with_too_little_of_its_lease_left_writes_nothing_and_runs_again(raise_to_600, meta_ads, settings):
    settings.PLATFORM_CHANGE_LEASE_SECONDS = int(settings.AD_PLATFORM_TIMEOUT) - 1
    assert run_execution(raise_to_600.pk, max_attempts=5) == "retry"
    assert [r.params.get("execution_options") for r in meta_ads.requests_to("2001", "POST")] == [
        '["validate_only"]'
    ]  # validated, never written: the sweep could otherwise read Meta before this write lands
    assert budget_of(meta_ads) == 57_200


def test_two_sweeps_at_once_claim_each_change_once(postgres_only, raise_to_600, meta_ads, monkeypatch):
    killed(raise_to_600, monkeypatch, after_the_write=True)
    with past_the_lease():
        first, second = at_once(read_back_silent, read_back_silent)
    assert first + second == 1
    done = fresh(raise_to_600)
    assert done.status == "executed"
    assert done.history.filter(event_type=Event.EXECUTED).count() == 1
    assert PlatformChange.objects.filter(approval_id=raise_to_600.pk).count() == 1


def test_a_drift_found_by_reading_back_reads_in_each_readers_language(raise_to_600, summer, meta_ads, monkeypatch):
    """Read back in the requester's language (English here), the drift reached a Spanish approver in English."""
    killed(raise_to_600, monkeypatch, after_the_write=True)
    meta_ads.campaigns["2001"]["daily_budget"] = str(MEANWHILE)
    with past_the_lease(), translation.override("en"):
        assert read_back_silent() == 1

    with translation.override("es"):
        [failed] = [entry.text for entry in history(fresh(raise_to_600)) if entry.text.startswith("La ejecución falló")]
    assert failed.startswith("La ejecución falló: Desviado: ") and "650,00 US$" in failed and "572,00 US$" in failed
