"""A proposal to change a synced campaign passes the connection's state, its budget's level and sharing, and the
tenant's guardrails before it may wait for approval (the gateway, and an approver's edit); the executor asks again
before writing (test_execute.py)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from adplatforms.models import AdGuardrails, ConnectionState, PlatformChange
from agents.gateway import review
from agents.models import AIAgent
from conversations.normalized import InboundMessage
from hitl.errors import DecisionError
from hitl.services.decisions import approve
from hitl.services.requests import request_approval
from tests.adplatforms.linked import connect, link, synced_campaign
from tests.concurrency import at_once
from tests.factories import CampaignFactory, budget_action
from tests.pipeline import exchange


@pytest.fixture
def paid_ads():
    return AIAgent.objects.get(is_system_agent=True, agent_type="paid_ads")


@pytest.fixture
def google(tenant, monkeypatch):
    return connect(tenant, monkeypatch)


@pytest.fixture
def summer(google):
    connection, memory = google
    return synced_campaign(connection, memory, "Summer Sale", "500.00", "111")


@pytest.fixture
def propose(tenant, paid_ads, requester):
    """propose(action) -> the gateway's reason to refuse it, or None (accepted)."""

    def review_one(action):
        verdict = review([action], tenant=tenant, agent=paid_ads, user=requester, conversation_id=uuid.uuid4())
        return verdict.refused[0].reason if verdict.refused else None

    return review_one


def test_guardrails_are_created_with_their_defaults_when_first_read(tenant):
    rails = AdGuardrails.for_tenant(tenant)
    assert (rails.max_change_percent, rails.max_daily_change_percent, rails.min_daily_budget) == (50, 100, Decimal("1"))
    assert AdGuardrails.for_tenant(tenant).pk == rails.pk  # one row per tenant


def test_a_change_within_the_guardrails_is_accepted_with_the_campaigns_currency(summer, tenant, paid_ads, requester):
    action = budget_action(summer, "750.00")  # +50%: the most one change may move it
    verdict = review([action], tenant=tenant, agent=paid_ads, user=requester, conversation_id=uuid.uuid4())
    assert verdict.refused == []
    assert verdict.accepted[0].action_data["currency"] == "USD"


def test_a_change_larger_than_one_step_is_refused_with_the_reason(summer, propose):
    assert propose(budget_action(summer, "800.00")) == (
        "moving Summer Sale's daily budget from $500.00 to $800.00 is a 60% change; your ad guardrails allow at most "
        "50% per change"
    )
    assert propose(budget_action(summer, "200.00")).startswith(
        "moving Summer Sale's daily budget from $500.00 to $200.00"
    )


def test_a_budget_below_the_minimum_is_refused(summer, propose, tenant):
    AdGuardrails.objects.create(tenant=tenant, min_daily_budget=Decimal("300.00"))
    assert propose(budget_action(summer, "290.00")) == (
        "Summer Sale's daily budget cannot go below $300.00 (your ad guardrails)"
    )


def test_the_changes_of_the_last_24_hours_add_up(summer, google, propose, tenant):
    connection, _memory = google
    now = timezone.now()

    def made(before, after, hours_ago):
        PlatformChange.objects.create(
            tenant=tenant, connection=connection, campaign=summer, field="daily_budget", before=before, after=after,
            currency="USD", approval_id=uuid.uuid4(), at=now - timedelta(hours=hours_ago),
        )  # fmt: skip

    made("400.00", "600.00", 30)  # more than 24 hours ago: not counted
    made("300.00", "450.00", 20)  # the budget 24 hours ago was 300.00
    made("450.00", "500.00", 2)  # 200.00 moved so far
    assert propose(budget_action(summer, "600.00")) is None  # +100 more: 300.00 of 300.00 is 100%, allowed
    assert propose(budget_action(summer, "650.00")) == (
        "Summer Sale's daily budget already moved $200.00 in the last 24 hours; with this change it would move "
        "$350.00, 117% of the $300.00 it was 24 hours ago, and your ad guardrails allow at most 100% a day"
    )


def test_a_shared_budget_is_refused_naming_every_campaign_on_it(google, propose, tenant):
    connection, memory = google
    summer = CampaignFactory(tenant=tenant, platform="google", name="Summer Sale", daily_budget=Decimal("500.00"))
    for campaign, external_id in [
        (summer, "111"),
        (CampaignFactory(tenant=tenant, platform="google", name="Winter Sale"), "222"),
        (CampaignFactory(tenant=tenant, platform="google", name="Brand"), "333"),
    ]:
        link(connection, memory, campaign, external_id, budget_id="900", budget_shared=True)
    assert propose(budget_action(summer, "600.00")) == (
        "the budget is shared by Summer Sale, Brand and Winter Sale; raise it in Google Ads or give Summer Sale its "
        "own budget"
    )


def test_a_budget_on_the_ad_sets_is_refused(tenant, monkeypatch, propose):
    connection, memory = connect(tenant, monkeypatch, platform="meta")
    spring = CampaignFactory(tenant=tenant, platform="meta", name="Spring", daily_budget=Decimal("40.00"))
    link(connection, memory, spring, "2385", units=None, budget_level="ad_set")
    assert propose(budget_action(spring, "50.00")).startswith(
        "Spring has no budget of its own on Meta Ads: its budget lives on its ad sets"
    )


@pytest.mark.parametrize("action_type", ["pause_campaign", "resume_campaign", "set_budget"])
def test_nothing_is_proposed_through_a_connection_waiting_for_re_authorisation(summer, google, propose, action_type):
    connection, _memory = google
    connection.state, connection.state_detail = ConnectionState.NEEDS_REAUTHORISATION, "Token has been revoked."
    connection.save()
    if action_type == "resume_campaign":
        summer.status = "paused"
        summer.save()
    data = {"campaign_id": str(summer.pk), "campaign_name": summer.name}
    action = budget_action(
        summer, "600.00", **({} if action_type == "set_budget" else {"action_type": action_type, "action_data": data})
    )
    assert propose(action) == "the Google Ads connection needs re-authorisation: Token has been revoked."


def test_campaigns_kept_in_walker_have_no_guardrails_of_the_platforms(tenant, propose):
    kept = CampaignFactory(tenant=tenant, name="Kept", daily_budget=Decimal("500.00"))
    assert propose(budget_action(kept, "900.00")) is None


def test_an_approvers_edit_beyond_the_guardrails_is_refused(summer, tenant, paid_ads, requester, approver):
    approval = request_approval(
        tenant=tenant, agent=paid_ads, action=budget_action(summer, "600.00"), requested_by=requester
    )
    with pytest.raises(DecisionError) as refused:
        approve(approval.pk, actor=approver, edits={"action_data": {"daily_budget": "900.00"}})
    assert "your ad guardrails allow at most 50% per change" in refused.value.detail


def test_the_requester_is_told_why_in_the_conversation(summer, colleague):
    asked = InboundMessage(channel="chat", text="Raise the Summer Sale budget to $900 a day", user_id=colleague.pk)
    result = exchange(asked)
    assert [a.status for a in result.actions] == ["refused"]
    assert "your ad guardrails allow at most 50% per change" in result.reply.text


def test_a_yen_campaigns_limits_are_in_yen(tenant, monkeypatch, propose):
    connection, memory = connect(tenant, monkeypatch, currency="JPY")
    tokyo = synced_campaign(connection, memory, "Tokyo Launch", "4000", "7")
    assert propose(budget_action(tokyo, "7000")) == (
        "moving Tokyo Launch's daily budget from ¥4,000 to ¥7,000 is a 75% change; your ad guardrails allow at most "
        "50% per change"
    )
    assert propose(budget_action(tokyo, "5000")) is None


GUARDRAILS_ADD = reverse("admin:adplatforms_adguardrails_add")


def test_a_tenant_admin_sets_the_guardrails_in_the_console(console_as, tenant_admin, tenant, other_tenant):
    theirs = AdGuardrails.for_tenant(other_tenant)
    client = console_as(tenant_admin)
    saved = client.post(
        GUARDRAILS_ADD, {"max_change_percent": 30, "max_daily_change_percent": 60, "min_daily_budget": "5.00"}
    )
    assert saved.status_code == 302
    mine = AdGuardrails.for_tenant(tenant)
    assert (mine.max_change_percent, mine.max_daily_change_percent, mine.min_daily_budget) == (30, 60, Decimal("5.00"))
    again = client.get(GUARDRAILS_ADD)  # one per tenant: "add" opens it
    assert again.status_code == 302 and again.url == reverse("admin:adplatforms_adguardrails_change", args=[mine.pk])
    other = client.get(reverse("admin:adplatforms_adguardrails_change", args=[theirs.pk]))
    assert other.status_code in (302, 404)  # another tenant's row is not there for them


def test_bad_guardrails_are_refused_with_a_message_and_change_nothing(console_as, tenant_admin, tenant):
    answer = console_as(tenant_admin).post(
        GUARDRAILS_ADD, {"max_change_percent": 0, "max_daily_change_percent": 60, "min_daily_budget": "-1"}
    )
    assert answer.status_code == 200 and answer.context["adminform"].form.errors
    assert not AdGuardrails.objects.filter(tenant=tenant).exists()


def test_approvers_read_the_guardrails_and_the_changes_made_but_do_not_change_them(console_as, approver, tenant):
    rails = AdGuardrails.for_tenant(tenant)
    client = console_as(approver)
    page = reverse("admin:adplatforms_adguardrails_change", args=[rails.pk])
    assert client.get(page).status_code == 200
    answer = client.post(page, {"max_change_percent": 90, "max_daily_change_percent": 100, "min_daily_budget": "1"})
    assert answer.status_code == 403
    assert AdGuardrails.for_tenant(tenant).max_change_percent == 50
    assert client.get(reverse("admin:adplatforms_platformchange_changelist")).status_code == 200


def test_two_first_reads_at_once_make_one_row(postgres_only, tenant):
    first, second = at_once(lambda: AdGuardrails.for_tenant(tenant).pk, lambda: AdGuardrails.for_tenant(tenant).pk)
    assert first == second
    assert AdGuardrails.objects.filter(tenant=tenant).count() == 1
