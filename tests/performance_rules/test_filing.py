"""A rule's firing is a proposal filed through `request_approval` with the figures in its summary; the conflicts rule
keeps one waiting per campaign, the cool-down and the cap per run hold, a notify-only rule tells the admins."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from adplatforms.models import AdGuardrails
from adplatforms.rules.filing import run_rule
from adplatforms.rules.models import RuleFiring
from hitl import presentation
from hitl.models import ApprovalStatus, HITLApproval
from hitl.presentation import requester_name
from tests.factories import CampaignFactory
from tests.performance_rules.helpers import NOW, figures, make_rule

pytestmark = pytest.mark.django_db


def test_a_firing_files_a_pause_named_for_the_rule_with_its_figures(tenant):
    brand = CampaignFactory(tenant=tenant, name="Brand Search", currency="USD")
    figures(brand, spend="180.43", conversions=2)
    rule = make_rule(tenant)

    result = run_rule(rule.pk, now=NOW)

    approval = HITLApproval.objects.get()
    assert approval.action_type == "pause_campaign"
    assert approval.action_data == {"campaign_id": str(brand.pk), "campaign_name": "Brand Search"}
    assert approval.action_summary == (
        "Rule “High CPA”: Pause Brand Search. CPA $90.22 over the last 7 days, above $60.00; spend $1,263"
    )
    assert approval.agent.agent_type == "paid_ads" and approval.requested_by is None
    assert approval.requested_by_rule == "High CPA"
    assert requester_name(approval) == "the rule “High CPA”"  # the requester approvers read, not "the agent"
    with translation.override("es"):
        assert requester_name(approval) == "la regla «High CPA»"
    assert approval.status == ApprovalStatus.PENDING
    (firing,) = result.firings
    assert (firing.outcome, firing.approval_id, firing.detail) == ("filed", approval.pk, approval.reference)
    assert firing.figures == "CPA $90.22 over the last 7 days, above $60.00; spend $1,263"


def test_the_cool_down_then_the_waiting_proposal_keep_one_request_per_campaign(tenant):
    brand = CampaignFactory(tenant=tenant, name="Brand Search")
    figures(brand, spend="180.43", conversions=2)
    rule = make_rule(tenant, cooldown_hours=6)

    run_rule(rule.pk, now=NOW)
    cooling = run_rule(rule.pk, now=NOW + timedelta(hours=1))
    after = run_rule(rule.pk, now=NOW + timedelta(hours=7))

    assert cooling.firings == [] and cooling.cooling == 1
    (again,) = after.firings
    assert again.outcome == "waiting" and again.approval_id == HITLApproval.objects.get().pk


def test_a_percentage_in_yen_is_whole_yen_and_the_cap_leaves_the_rest_for_the_next_run(tenant):
    names = ["A Tokyo", "B Osaka", "C Kyoto"]
    for name in names:
        figures(CampaignFactory(tenant=tenant, name=name, currency="JPY", daily_budget=Decimal("33333")), spend="9999")
    rule = make_rule(
        tenant,
        currency="JPY",
        threshold=Decimal("4000"),
        action="change_budget",
        action_value=Decimal("-15"),
        max_per_run=2,
    )

    result = run_rule(rule.pk, now=NOW)

    assert [firing.campaign.name for firing in result.firings] == names[:2] and result.over_cap == 1
    tokyo = HITLApproval.objects.get(action_data__campaign_name="A Tokyo")
    assert (tokyo.action_data["daily_budget"], tokyo.action_data["currency"]) == ("28333", "JPY")
    assert tokyo.action_summary == (
        "Rule “High CPA”: Lower A Tokyo daily budget from ¥33,333 to ¥28,333. "
        "CPA ¥5,000 over the last 7 days, above ¥4,000; spend ¥69,993"  # ¥69,993 / 14 = ¥4,999.5, to the even yen
    )


def test_a_proposal_the_checks_refuse_is_recorded_with_the_reason_and_not_filed(tenant):
    AdGuardrails.objects.create(tenant=tenant, min_daily_budget=Decimal("1"))
    brand = CampaignFactory(tenant=tenant, name="Brand", daily_budget=Decimal("250.00"))
    figures(brand, spend="180.43", conversions=2)
    rule = make_rule(tenant, action="set_budget", action_value=Decimal("250"))

    (firing,) = run_rule(rule.pk, now=NOW).firings

    assert firing.outcome == "refused" and firing.detail == "Brand already has a $250.00 daily budget"
    assert not HITLApproval.objects.exists()


def test_notify_only_tells_each_admin_and_files_nothing(
    tenant, tenant_admin, colleague, django_capture_on_commit_callbacks, monkeypatch
):
    notices = []
    monkeypatch.setattr("adplatforms.rules.notices.tell_consoles", lambda tenant_id, message: notices.append(message))
    brand = CampaignFactory(tenant=tenant, name="Brand Search")
    figures(brand, spend="180.43", conversions=2)
    rule = make_rule(tenant, action="notify")

    with django_capture_on_commit_callbacks(execute=True):
        (firing,) = run_rule(rule.pk, now=NOW).firings

    assert firing.outcome == "notified" and not HITLApproval.objects.exists()
    (email,) = mail.outbox
    assert email.to == [tenant_admin.email]
    assert "Rule “High CPA” fired for Brand Search: CPA $90.22 over the last 7 days" in email.body
    (notice,) = notices
    assert notice["kind"] == "performance_rule" and notice["tenant_id"] == str(tenant.pk)
    assert notice["text"].startswith("Rule “High CPA” fired for Brand Search: CPA $90.22")


def test_a_disabled_rule_does_not_run(tenant):
    figures(CampaignFactory(tenant=tenant), spend="180.43", conversions=2)
    rule = make_rule(tenant, enabled=False)

    assert run_rule(rule.pk, now=NOW) is None
    assert not RuleFiring.objects.exists()


def test_a_rules_pause_is_scored_by_the_results_it_puts_at_stake(tenant):
    """Issue 51, point 6: the campaign's week of conversions and value, not only the spend the pause saves."""
    brand = CampaignFactory(tenant=tenant, name="Brand Search", currency="USD")
    figures(brand, spend="180.43", conversions=2, revenue="667.59")  # ROAS 3.7, yet a CPA above $60
    with time_machine.travel(NOW, tick=False):
        run_rule(make_rule(tenant).pk, now=NOW)
    approval = HITLApproval.objects.get()
    [at_stake] = [f for f in approval.risk_factors if f["factor"] == "results_at_stake"]
    assert at_stake["stake"]["conversions"] == "14.0" and at_stake["stake"]["value"] == "4673.13"
    assert at_stake["points"] == 40.0  # all the account's results; $20,028 over 30 days
    assert presentation.effect(approval).startswith("Pauses Brand Search: about 14 conversions and $4,673 of value")
