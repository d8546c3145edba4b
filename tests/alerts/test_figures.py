"""Each kind's figure from the tenant's own rows (another tenant's, and rows outside the window, count for nothing),
and the rule's threshold against it: above opens an incident, at or below it does not."""

from decimal import Decimal

import pytest
from django.utils import timezone

from adplatforms.models import AdConnection, OutsideChange
from alerts import figures
from alerts.evaluation import Outcome, evaluate
from alerts.models import AlertIncident
from analytics.models import EventType
from tests.alerts.conftest import ago, emails, events, first_responses, slack_messages, whatsapp_sends
from tests.analytics.conftest import approval
from tests.factories import CampaignFactory


def first_response(tenant, other_tenant):
    first_responses(tenant, *range(60, 601, 60))  # 1..10 minutes
    first_responses(tenant, 6000, minutes_ago=90)  # before the window
    first_responses(other_tenant, 6000, 6000, 6000)
    return Decimal("9.10")  # PERCENTILE_CONT(0.9) of 1..10 minutes: 9 + 0.1 x 1


def sla_breaches(tenant, other_tenant):
    events(tenant, EventType.SLA_BREACHED, 3)
    events(tenant, EventType.SLA_BREACHED, 5, minutes_ago=90)
    events(other_tenant, EventType.SLA_BREACHED, 7)
    events(tenant, EventType.EXECUTION_FAILED, 2)
    return Decimal(3)


def failed_executions(tenant, other_tenant):
    events(tenant, EventType.EXECUTION_FAILED, 2)
    events(tenant, EventType.EXECUTION_SUCCEEDED, 4)
    events(tenant, EventType.EXECUTION_FAILED, 3, minutes_ago=61)
    events(other_tenant, EventType.EXECUTION_FAILED, 5)
    return Decimal(2)


def approvals_waiting(tenant, other_tenant):
    for status in ("pending", "pending", "approved", "rejected"):
        approval(tenant, requested_at=ago(30), status=status)
    approval(other_tenant, requested_at=ago(30))
    return Decimal(2)


def oldest_waiting(tenant, other_tenant):
    approval(tenant, requested_at=ago(45))
    approval(tenant, requested_at=ago(10))
    approval(tenant, requested_at=ago(500), status="approved")
    approval(other_tenant, requested_at=ago(900))
    return Decimal(45)


def bounce_rate(tenant, other_tenant):
    emails(tenant, "delivered", 6)
    emails(tenant, "bounced", 2)
    emails(tenant, "dropped", 1)
    emails(tenant, "queued", 3)  # not yet left: neither sent nor bounced
    emails(tenant, "bounced", 4, minutes_ago=70)
    emails(other_tenant, "bounced", 5)
    return Decimal("33.33")


def whatsapp_failures(tenant, other_tenant):
    whatsapp_sends(tenant, "failed", 3)
    whatsapp_sends(tenant, "delivered", 4)
    whatsapp_sends(tenant, "failed", 2, minutes_ago=120)
    whatsapp_sends(other_tenant, "failed", 6)
    emails(tenant, "failed", 5)
    return Decimal(3)


def email_failures(tenant, other_tenant):
    emails(tenant, "failed", 1)
    emails(tenant, "bounced", 2)
    emails(tenant, "dropped", 1)
    emails(tenant, "delivered", 8)
    emails(other_tenant, "failed", 5)
    whatsapp_sends(tenant, "failed", 3)
    return Decimal(4)


def slack_failures(tenant, other_tenant):
    """The approvals' Slack messages that failed (a post or an update) in the window."""
    slack_messages(tenant, "failed", 2)
    slack_messages(tenant, "posted", 3)
    slack_messages(tenant, "failed", 4, minutes_ago=90)
    slack_messages(other_tenant, "failed", 5)
    whatsapp_sends(tenant, "failed", 1)
    return Decimal(2)


def ad_reauthorisation(tenant, other_tenant):
    for n, state in enumerate(["needs_reauth", "needs_reauth", "active", "paused_quota"]):
        AdConnection.objects.create(tenant=tenant, platform="google", account_id=f"123456789{n}", state=state)
    AdConnection.objects.create(tenant=other_tenant, platform="google", account_id="1234567899", state="needs_reauth")
    return Decimal(2)


def ad_outside_changes(tenant, other_tenant):
    """Found in the window (a change made long ago but first read now counts); another tenant's count nothing."""
    now = timezone.now()
    rows = [(tenant, now, "a"), (tenant, now, "b"), (tenant, ago(90), "c"), (other_tenant, now, "d")]
    for owner, found, event in rows:
        connection, _ = AdConnection.objects.get_or_create(tenant=owner, platform="google", account_id="1234567890")
        OutsideChange.objects.create(
            tenant=owner, connection=connection, campaign=CampaignFactory(tenant=owner), event=event,
            kind="status", at=ago(3 * 24 * 60), before="active", after="paused", detected_at=found,
        )  # fmt: skip
    return Decimal(2)


CASES = {
    "first_response_p90": (first_response, {}),
    "sla_breaches": (sla_breaches, {}),
    "failed_executions": (failed_executions, {}),
    "approvals_waiting": (approvals_waiting, {}),
    "oldest_waiting_approval": (oldest_waiting, {}),
    "email_bounce_rate": (bounce_rate, {}),
    "channel_failures-whatsapp": (whatsapp_failures, {"channel": "whatsapp"}),
    "channel_failures-email": (email_failures, {"channel": "email"}),
    "channel_failures-slack": (slack_failures, {"channel": "slack"}),
    "ad_reauthorisation": (ad_reauthorisation, {}),
    "ad_outside_changes": (ad_outside_changes, {}),
}


@pytest.mark.parametrize("case", CASES)
def test_the_figure_counts_the_tenants_own_rows_in_the_window(case, rule, tenant, other_tenant):
    setup, fields = CASES[case]
    expected = setup(tenant, other_tenant)
    watched = rule(case.split("-")[0], "1", **fields)
    assert figures.figure(watched, timezone.now()) == pytest.approx(expected, abs=Decimal("0.02"))


@pytest.mark.parametrize("case", CASES)
def test_above_the_threshold_opens_at_it_does_not(case, rule, tenant, other_tenant):
    setup, fields = CASES[case]
    expected = setup(tenant, other_tenant)
    at = rule(case.split("-")[0], expected + Decimal("0.05"), **fields)  # a little room: the clock moves
    under = rule(case.split("-")[0], expected - Decimal("0.05"), **fields)
    assert evaluate(at.pk) == Outcome.QUIET
    assert evaluate(under.pk) == Outcome.OPENED
    assert list(AlertIncident.objects.values_list("rule", flat=True)) == [under.pk]


def test_nothing_to_measure_is_no_figure(rule):
    assert figures.figure(rule("first_response_p90", "1"), timezone.now()) is None
    assert figures.figure(rule("email_bounce_rate", "1"), timezone.now()) is None
    assert figures.figure(rule("oldest_waiting_approval", "1"), timezone.now()) == 0
    assert figures.figure(rule("approvals_waiting", "1"), timezone.now()) == 0


def test_another_tenants_rule_sees_only_its_own_tenant(rule, tenant, other_tenant):
    events(tenant, EventType.SLA_BREACHED, 4)
    theirs = rule("sla_breaches", "0", of=other_tenant, notify_roles=["admin"])
    assert figures.figure(theirs, timezone.now()) == 0
    assert evaluate(theirs.pk) == Outcome.QUIET
