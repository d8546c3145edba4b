"""`manage.py simulate_ad_platform`: the demo tenant's campaigns on a fake platform on 127.0.0.1, synced, talked
about by the Paid Ads agent with their freshness, and a budget change approved, applied there and read back; again
on a second run; a clear error for a tenant that does not exist.

Real commits (live_db): the command's answer and execution run on commit, in its own process."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from adplatforms import money
from adplatforms.executor import PlatformExecutor
from adplatforms.models import (
    AdConnection,
    ConnectionState,
    OutsideChange,
    PlatformCampaign,
    PlatformChange,
    PlatformRecommendation,
    SyncRun,
)
from adplatforms.rules.models import PerformanceRule, RuleFiring
from adplatforms.simulator.seeding import GOOGLE_ACCOUNT, META_ACCOUNT
from agents.executors import ExecutionRequest, get_executor
from agents.models import Campaign, CampaignDailyStat
from hitl.models import ApprovalStatus, HITLApproval, HITLDecision
from tenants.demo import DEMO_TENANT
from tenants.models import Tenant

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def demo(live_db):
    call_command("seed_demo", stdout=StringIO())
    return Tenant.objects.get(slug=DEMO_TENANT["slug"])


def simulate(*args) -> str:
    out = StringIO()
    call_command("simulate_ad_platform", *args, stdout=out)
    return out.getvalue()


def test_google_end_to_end(demo):
    out = simulate()

    connection = AdConnection.objects.get(tenant=demo, platform="google")
    assert connection.account_id == GOOGLE_ACCOUNT and connection.name == demo.name
    assert connection.state == ConnectionState.DISABLED and connection.next_sync_at is None  # no beat reaches Google
    run, after_outside_change = SyncRun.objects.filter(connection=connection).order_by("started_at")
    assert after_outside_change.outside_changes == 1
    assert run.status == SyncRun.Status.SUCCEEDED and run.campaigns == 2 and run.campaign_days == 28
    # The demo's Google campaigns were adopted (linked, not copied), their figures synced in place; then unlinked,
    # so `make run` afterwards decides their changes with Walker's own executors, as before.
    assert not PlatformCampaign.objects.filter(connection=connection).exists()
    assert Campaign.objects.filter(tenant=demo, name__startswith="Brand Search").count() == 1
    assert CampaignDailyStat.objects.filter(campaign__name="Brand Search", date__gte=run.first_day).count() == 14

    assert "2 campaigns and 28 campaign days synced" in out
    assert re.search(r"Brand Search, last 7 days: spend \$[\d,.]+", out)
    assert re.search(r"Figures as of \d\d:\d\d, from Google Ads\.", out)

    approval, again, ruled, _recommended = HITLApproval.objects.filter(tenant=demo).order_by("requested_at")
    assert approval.status == ApprovalStatus.EXECUTED
    assert approval.decisions.get().approver.email == "approver@acme.test"
    assert approval.execution_result["outcome"]["before_units"] == 200_000_000
    assert approval.execution_result["outcome"]["after_units"] == 220_000_000  # read back from the fake
    assert f"approves {approval.reference}" in out
    # The approver lets the same change go ahead again; the change back to $200.00 is approved under it, no one asked.
    assert again.status == ApprovalStatus.EXECUTED and again.approved_under.given_on == approval
    assert again.decisions.get().via == HITLDecision.Via.STANDING
    assert again.approved_under.revoked_at is not None  # none left in force after the walk-through
    assert (
        "lets the same change go ahead again without asking: a daily budget between $160.00 and $240.00, until " in out
    )
    assert ", at most once." in out
    assert f"{again.reference} Executed, asking no one. Approved under Priya Shah's standing approval (given " in out
    assert "). Google Ads now holds $200.00 a day." in out
    assert Campaign.objects.get(tenant=demo, name="Brand Search").daily_budget == 200
    changes = PlatformChange.objects.filter(campaign__name="Brand Search").order_by("at")
    assert [change.after for change in changes] == ["220.00", "200.00"]
    assert "Google Ads now holds $220.00 a day for Brand Search; Walker's copy says $220.00." in out
    # Someone raises the other campaign's budget on Google Ads itself: the next sync finds that change, not Walker's.
    [outside] = OutsideChange.objects.filter(tenant=demo)
    assert outside.campaign.name != "Brand Search" and outside.tool == "GOOGLE_ADS_WEB_CLIENT"
    assert re.search(r"found by the next sync: 1 \(.*\)\. .+ \$[\d,.]+ → \$[\d,.]+, by dana@acme.test", out)
    # A performance rule over the synced figures fires for the other campaign; the approver declines its proposal.
    [rule] = PerformanceRule.objects.filter(tenant=demo)
    assert not rule.enabled and rule.next_run_at is None  # no beat of `make run` runs it again
    [firing] = rule.firings.all()
    assert firing.outcome == RuleFiring.Outcome.FILED and firing.approval_id == ruled.pk
    assert firing.campaign == outside.campaign and ruled.requested_by_rule == "Simulated CPA watch"
    assert ruled.status == ApprovalStatus.REJECTED and ruled.action_type == "set_budget"
    cut = money.rounded(Decimal(outside.after) * Decimal("0.9"), "USD")  # its budget then (a recommendation follows)
    assert Decimal(ruled.action_data["daily_budget"]) == cut
    step = (
        r"writes the rule “Simulated CPA watch”: CPA above \$[\d,.]+ over 7 days for .+, proposing a 10% cut of its "
        rf"daily budget\. Its run files {ruled.reference}, asked by the rule “Simulated CPA watch”: Rule “Simulated "
        r"CPA watch”: Lower .+ CPA \$[\d,.]+ over the last 7 days, above"
    )
    assert re.search(step, out)
    assert "Priya Shah declines it: Rejected, nothing changes on Google Ads. The rule is left disabled." in out
    # Step 11: Google recommends 20% more for a campaign; Walker files it, the approver approves, it is applied.
    recommended = PlatformRecommendation.objects.get(connection=connection)
    assert recommended.status == "applied" and recommended.approval.status == ApprovalStatus.EXECUTED
    assert recommended.approval.requested_by_rule == "Google Ads recommendations"
    assert "11. Walker reads Google Ads' recommendations, as every sync does, and files the new one as " in out
    assert "Google Ads recommends: raise " in out and "Cost a week (estimated by Google Ads)" in out
    assert re.search(r"Applied the Google Ads recommendation: raise .+ \(read back\)\. Google Ads now holds", out)


@pytest.mark.slow  # the whole walk-through twice: eleven steps each, over HTTP to the fake
def test_twice_reuses_the_connection_and_moves_the_budget_back(demo):
    simulate()
    out = simulate()

    assert "Connection reused" in out
    connection = AdConnection.objects.get(tenant=demo, platform="google")
    # Each run syncs twice: once to begin with, once after the change made outside Walker.
    assert SyncRun.objects.filter(connection=connection, status=SyncRun.Status.SUCCEEDED).count() == 4
    assert [run.campaigns for run in SyncRun.objects.filter(connection=connection)] == [2, 2, 2, 2]
    assert not PlatformCampaign.objects.filter(connection=connection).exists()
    assert Campaign.objects.filter(tenant=demo, platform="google").count() == 2
    # Each run raises the budget 10 % (approved by a person), then puts it back (under a standing approval), a rule's
    # proposal is declined, and a recommendation of Google's is applied (approved by a person).
    statuses = HITLApproval.objects.filter(tenant=demo).order_by("requested_at").values_list("status", flat=True)
    assert list(statuses) == ["executed", "executed", "rejected", "executed"] * 2
    # The rule is made again on each run (the first one's firing is not a cool-down for the second), never two.
    assert PerformanceRule.objects.filter(tenant=demo).count() == 1
    assert PlatformRecommendation.objects.filter(status="applied").count() == 2
    assert HITLApproval.objects.filter(tenant=demo, approved_under__isnull=False).count() == 2
    assert Campaign.objects.get(tenant=demo, name="Brand Search").daily_budget == 200
    assert "Google Ads now holds $220.00 a day for Brand Search" in out and "Google Ads now holds $200.00 a day." in out


def test_meta(demo):
    out = simulate("--platform", "meta")

    connection = AdConnection.objects.get(tenant=demo, platform="meta")
    assert connection.account_id == META_ACCOUNT
    assert [run.campaigns for run in SyncRun.objects.filter(connection=connection)] == [4, 4]
    assert re.search(r"Figures as of \d\d:\d\d, from Meta Ads\.", out)
    assert "Meta Ads now holds $165.00 a day for Site Retargeting" in out
    first = HITLApproval.objects.filter(tenant=demo).order_by("requested_at").first()
    assert first.execution_result["outcome"]["after_units"] == 16_500
    assert "Meta Ads now holds $150.00 a day." in out  # put back under the standing approval
    assert "found by the next sync: 1 (" in out and "by Dana Reyes, Ads Manager" in out
    assert "declines it: Rejected, nothing changes on Meta Ads. The rule is left disabled." in out
    assert "11. Meta's recommendations are not read by Walker: none is proposed from Meta." in out


def test_an_unknown_tenant_is_a_clear_error(demo):
    with pytest.raises(CommandError, match="No tenant with slug 'nope'"):
        simulate("--tenant", "nope")
    assert not AdConnection.objects.exists()


def test_a_tenant_without_campaigns_on_the_platform_is_a_clear_error(demo):
    Campaign.objects.filter(tenant=demo, platform="google").delete()

    with pytest.raises(CommandError, match="Acme Outdoor has no Google Ads campaigns"):
        simulate()
    assert not AdConnection.objects.exists()


def test_afterwards_the_campaigns_changes_go_to_walkers_own_executors_again(demo):
    """`make run` after the walk-through: the connection is gone from the campaigns, so an approved budget change is
    not refused as disconnected but kept in Walker's ledger, as before the simulation."""
    simulate()

    brand = Campaign.objects.get(tenant=demo, name="Brand Search")
    request = ExecutionRequest(
        tenant=demo,
        approval_id="3f1c6f0e-8c1a-4d7e-9f57-1f6f0e8c1a4d",
        reference="BR-123456",
        action_type="set_budget",
        action_data={"campaign_id": str(brand.pk), "daily_budget": "250.00", "previous_daily_budget": "220.00"},
        approved_at=timezone.now(),
    )
    assert not isinstance(get_executor(request), PlatformExecutor)
