"""Changes made elsewhere (issue 51, point 4): each sync reads the platform's change history, stores the budget and
status changes of linked campaigns that Walker did not make, in the campaign's currency, once; and a waiting
proposal whose "before" no longer holds is told to its approvers at once, once, and left for them to decide."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from adplatforms import sync
from adplatforms.models import OutsideChange, PlatformChange, SyncRun
from adplatforms.outside import detection
from adplatforms.platform import CampaignStatus, RemoteChange
from agents.models import AIAgent, Campaign
from hitl.models import ApprovalStatus, HITLApproval, HITLApprovalHistory, HITLNotification
from hitl.services.requests import request_approval
from tests.adplatforms.linked import connect, synced_campaign
from tests.concurrency import at_once
from tests.factories import budget_action

pytestmark = pytest.mark.django_db
Event = HITLApprovalHistory.Event


def budget_change(external_id, before, after, *, key="ev-1", minutes_ago=5, through_api=False, **fields):
    return RemoteChange(
        key=key,
        at=timezone.now() - timedelta(minutes=minutes_ago),
        field="daily_budget",
        campaign_external_id=external_id,
        before_units=before,
        after_units=after,
        actor=fields.pop("actor", "dana@acme.test"),
        tool=fields.pop("tool", "GOOGLE_ADS_WEB_CLIENT"),
        through_api=through_api,
        **fields,
    )


def status_change(external_id, before, after, *, key="ev-s", minutes_ago=5, through_api=False):
    return RemoteChange(
        key=key,
        at=timezone.now() - timedelta(minutes=minutes_ago),
        field="status",
        campaign_external_id=external_id,
        before_status=before,
        after_status=after,
        actor="dana@acme.test",
        tool="GOOGLE_ADS_WEB_CLIENT",
        through_api=through_api,
    )


def waiting_budget(tenant, requester, campaign, amount):
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    return request_approval(tenant=tenant, agent=agent, action=budget_action(campaign, amount), requested_by=requester)


def told(approval) -> list[HITLApprovalHistory]:
    return list(HITLApprovalHistory.objects.filter(approval=approval, event_type=Event.TARGET_CHANGED))


@pytest.mark.parametrize(
    ("platform", "currency", "budget", "units", "before", "after"),
    [
        ("google", "USD", "500.00", (500_000_000, 650_000_000), "500.00", "650.00"),
        ("google", "JPY", "5000", (5_000_000_000, 6_500_000_000), "5000", "6500"),
        ("meta", "USD", "500.00", (50_000, 65_000), "500.00", "650.00"),
        ("meta", "JPY", "5000", (5000, 6500), "5000", "6500"),
    ],
)
def test_a_budget_changed_elsewhere_is_recorded_in_the_campaigns_currency(
    tenant, monkeypatch, platform, currency, budget, units, before, after
):
    connection, memory = connect(tenant, monkeypatch, platform=platform, currency=currency)
    campaign = synced_campaign(connection, memory, "Summer Sale", budget, "111")
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=units[1])
    memory.history.append(budget_change("111", *units))

    run = sync.sync_connection(connection)

    assert run.status == SyncRun.Status.SUCCEEDED and run.outside_changes == 1
    [change] = OutsideChange.objects.filter(campaign=campaign)
    assert (change.kind, change.before, change.after, change.currency) == ("daily_budget", before, after, currency)
    assert (change.before_units, change.after_units) == units
    assert (change.actor, change.tool, change.tenant_id) == ("dana@acme.test", "GOOGLE_ADS_WEB_CLIENT", tenant.pk)
    assert Campaign.objects.get(pk=campaign.pk).daily_budget == Decimal(after)  # the listing says so too


def test_a_status_changed_elsewhere_is_recorded(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    memory.history.append(status_change("111", CampaignStatus.ACTIVE, CampaignStatus.PAUSED))

    sync.sync_connection(connection)

    change = OutsideChange.objects.get(campaign=campaign)
    assert (change.kind, change.before, change.after, change.currency) == ("status", "active", "paused", "")


def test_a_google_budget_change_is_recorded_for_each_campaign_on_the_budget(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    first = synced_campaign(connection, memory, "Brand US", "150.00", "111")
    second = synced_campaign(connection, memory, "Brand Canada", "150.00", "112")
    for external_id in ("111", "112"):  # one shared budget, as the sync reads it
        memory.remote[external_id] = replace(memory.remote[external_id], budget_id="b111", budget_shared=True)
    memory.history.append(budget_change("", 150_000_000, 180_000_000, budget_id="b111"))

    sync.sync_connection(connection)

    assert set(OutsideChange.objects.values_list("campaign_id", flat=True)) == {first.pk, second.pk}


def test_a_change_walker_made_is_not_listed(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    PlatformChange.objects.create(
        tenant=tenant, connection=connection, campaign=campaign, field="daily_budget", before="500.00",
        after="600.00", before_units=500_000_000, after_units=600_000_000, currency="USD",
        approval_id="00000000-0000-0000-0000-000000000001", at=timezone.now() - timedelta(minutes=4),
    )  # fmt: skip
    memory.history.append(
        budget_change("111", 500_000_000, 600_000_000, through_api=True, tool="GOOGLE_ADS_API", minutes_ago=5)
    )

    run = sync.sync_connection(connection)

    assert run.outside_changes == 0 and not OutsideChange.objects.exists()


@pytest.mark.parametrize(
    ("app_id", "from_walkers_app", "listed"),
    [
        ("", False, False),  # no app id to check: Walker's record and the time decide
        ("1357924680", True, False),  # Meta says Walker's app made it
        ("1357924680", False, True),  # Meta says another application made it (Ads Manager)
    ],
)
def test_on_meta_walkers_app_is_checked_when_the_connection_names_it(
    tenant, monkeypatch, app_id, from_walkers_app, listed
):
    connection, memory = connect(tenant, monkeypatch, platform="meta", currency="JPY", app_id=app_id)
    campaign = synced_campaign(connection, memory, "Tokyo search", "5000", "6101")
    PlatformChange.objects.create(
        tenant=tenant, connection=connection, campaign=campaign, field="daily_budget", before="5000", after="6000",
        before_units=5000, after_units=6000, currency="JPY", approval_id="00000000-0000-0000-0000-000000000001",
        at=timezone.now() - timedelta(minutes=4),
    )  # fmt: skip
    memory.history.append(budget_change("6101", 5000, 6000, through_api=from_walkers_app, tool="Ads Manager"))

    sync.sync_connection(connection)

    assert OutsideChange.objects.exists() == listed


def test_the_same_value_set_in_the_web_interface_is_someone_elses(tenant, monkeypatch):
    """Walker's record matches the value and time, but Google says it came from the web interface, not the API."""
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    PlatformChange.objects.create(
        tenant=tenant, connection=connection, campaign=campaign, field="daily_budget", before="500.00",
        after="600.00", before_units=500_000_000, after_units=600_000_000, currency="USD",
        approval_id="00000000-0000-0000-0000-000000000001", at=timezone.now() - timedelta(minutes=4),
    )  # fmt: skip
    memory.history.append(budget_change("111", 500_000_000, 600_000_000, minutes_ago=5))
    memory.history.append(budget_change("111", 600_000_000, 700_000_000, key="ev-2", through_api=True, minutes_ago=2))

    sync.sync_connection(connection)

    # The second came through the API, but no change of Walker's set 700.00: someone else's script.
    assert sorted(OutsideChange.objects.values_list("after", flat=True)) == ["600.00", "700.00"]


def test_a_resync_of_the_same_window_adds_nothing(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    memory.history.append(budget_change("111", 500_000_000, 650_000_000))
    sync.sync_connection(connection)
    first = OutsideChange.objects.get()

    again = sync.sync_connection(connection)

    assert again.outside_changes == 0
    assert list(OutsideChange.objects.all()) == [first]
    assert OutsideChange.objects.get().detected_at == first.detected_at


def test_a_change_of_a_campaign_walker_does_not_hold_is_left_out(tenant, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    memory.history.append(budget_change("999", 500_000_000, 650_000_000))

    assert sync.sync_connection(connection).outside_changes == 0


def test_the_window_starts_an_hour_before_the_last_sync_and_never_past_29_days(tenant, monkeypatch):
    connection, _memory = connect(tenant, monkeypatch)
    now = timezone.now()
    assert detection.window(connection, now) == (now - timedelta(days=7), now)
    connection.last_synced_at = now - timedelta(hours=3)
    assert detection.window(connection, now) == (now - timedelta(hours=4), now)
    connection.last_synced_at = now - timedelta(days=60)
    assert detection.window(connection, now) == (now - timedelta(days=29), now)


# --- a waiting proposal whose "before" no longer holds ---------------------------------------------------------


@pytest.mark.parametrize(("currency", "budget", "ask", "units", "said"), [
    ("USD", "500.00", "600.00", (500_000_000, 650_000_000), "from $500.00 to $650.00"),
    ("JPY", "5000", "6000", (5_000_000_000, 6_500_000_000), "from ¥5,000 to ¥6,500"),
])  # fmt: skip
def test_a_waiting_budget_change_is_told_to_its_approvers_at_once(
    tenant, requester, approver, monkeypatch, currency, budget, ask, units, said
):
    connection, memory = connect(tenant, monkeypatch, currency=currency)
    campaign = synced_campaign(connection, memory, "Summer Sale", budget, "111")
    approval = waiting_budget(tenant, requester, campaign, ask)
    memory.remote["111"] = replace(memory.remote["111"], daily_budget_units=units[1])
    memory.history.append(budget_change("111", *units))

    sync.sync_connection(connection)

    [entry] = told(approval)
    assert said in entry.description and "dana@acme.test" in entry.description
    notices = HITLNotification.objects.filter(approval=approval, event=HITLNotification.Event.TARGET_CHANGED)
    assert {n.recipient for n in notices} == {approver} and notices.exists()
    assert all(said in n.message and "Summer Sale" in n.subject for n in notices)
    sent = notices.count()
    assert HITLApproval.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING  # never decided for them

    sync.sync_connection(connection)  # the same change read again

    assert len(told(approval)) == 1
    assert notices.count() == sent


def test_the_approvals_page_shows_what_changed_outside_walker(console_as, tenant, requester, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    memory.history.append(budget_change("111", 500_000_000, 650_000_000))
    sync.sync_connection(connection)

    page = console_as(approver).get(reverse("admin:hitl_hitlapproval_change", args=[approval.pk])).content.decode()

    assert "Changed outside Walker" in page and "from $500.00 to $650.00" in page


def test_a_waiting_change_whose_before_still_holds_is_not_told(tenant, requester, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    # Changed and changed back: the newest says $500.00, what the approver sees.
    memory.history.append(budget_change("111", 500_000_000, 650_000_000, minutes_ago=9))
    memory.history.append(budget_change("111", 650_000_000, 500_000_000, key="ev-2", minutes_ago=3))

    sync.sync_connection(connection)

    assert OutsideChange.objects.count() == 2
    assert told(approval) == []


def test_an_approval_decided_already_is_not_told(tenant, requester, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    HITLApproval.objects.filter(pk=approval.pk).update(status=ApprovalStatus.REJECTED)
    memory.history.append(budget_change("111", 500_000_000, 650_000_000))

    sync.sync_connection(connection)

    assert told(approval) == []
    assert not HITLNotification.objects.filter(approval=approval, event="target_changed").exists()


def test_an_ad_sets_change_is_shown_on_its_campaign_and_leaves_a_waiting_pause_alone(
    tenant, requester, approver, monkeypatch
):
    """Pausing an ad set leaves the campaign active: a waiting pause of the campaign still holds."""
    connection, memory = connect(tenant, monkeypatch, platform="meta")
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "6101")
    approval = request_approval(
        tenant=tenant, agent=AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads"), requested_by=requester,
        action=budget_action(campaign, action_type="pause_campaign", summary="Pause Summer Sale",
                             estimated_cost=Decimal("0"), action_data={"campaign_id": str(campaign.pk)}),
    )  # fmt: skip
    memory.history.append(
        replace(status_change("6101", CampaignStatus.ACTIVE, CampaignStatus.PAUSED), ad_set="Adults (7201)")
    )

    sync.sync_connection(connection)

    change = OutsideChange.objects.get(campaign=campaign)
    assert (change.ad_set, change.after) == ("Adults (7201)", "paused")
    assert told(approval) == []


def test_a_waiting_pause_of_a_campaign_paused_elsewhere_is_told(tenant, requester, approver, monkeypatch):
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    agent = AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")
    pause = budget_action(
        campaign, action_type="pause_campaign", summary="Pause Summer Sale", estimated_cost=Decimal("0"),
        action_data={"campaign_id": str(campaign.pk), "campaign_name": campaign.name},
    )  # fmt: skip
    approval = request_approval(tenant=tenant, agent=agent, action=pause, requested_by=requester)
    memory.remote["111"] = replace(memory.remote["111"], status=CampaignStatus.PAUSED)
    memory.history.append(status_change("111", CampaignStatus.ACTIVE, CampaignStatus.PAUSED))

    sync.sync_connection(connection)

    [entry] = told(approval)
    assert "Summer Sale was set paused on Google Ads outside Walker (it was active)" in entry.description


def test_an_outside_change_racing_a_waiting_proposal_is_told_once(
    postgres_only, tenant, requester, approver, monkeypatch
):
    """Two syncs record the same change at once, each on its own connection: one claims it and tells."""
    connection, memory = connect(tenant, monkeypatch)
    campaign = synced_campaign(connection, memory, "Summer Sale", "500.00", "111")
    approval = waiting_budget(tenant, requester, campaign, "600.00")
    changes = [budget_change("111", 500_000_000, 650_000_000)]

    claimed = at_once(*[lambda: len(detection.record(connection, changes))] * 2)

    assert sorted(claimed) == [0, 1]
    assert OutsideChange.objects.count() == 1
    assert len(told(approval)) == 1
    notices = HITLNotification.objects.filter(approval=approval, event="target_changed")
    assert notices.count() == notices.values("recipient", "channel").distinct().count() > 0
